package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.queue.QueuePauses;
import dev.gowork.coordinator.state.Journal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * QueueAdmin's decision whether a resume writes anything, without Kafka: nothing here reads
 * {@code <p>.queues} back unless the test applies a notice, which is how a notice looks between its
 * commit and the moment the broker lets readers see it. (QueuePauseTest runs pause and resume on a broker.)
 */
class QueueAdminTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private final WireCodec codec = new WireCodec(16 * 1024);

  /**
   * Catching up lists the topic's readable end, and a commit returns before the broker moves that end past
   * the transaction: a resume right after this coordinator's own pause could find the queue not paused,
   * write nothing and answer, and the pause would then take effect. The resume must be written.
   */
  @Test
  void aResumeAfterThisCoordinatorsOwnPauseNotReadBackYetIsWritten() {
    QueuePauses pauses = new QueuePauses(Journal.discarding(), codec);
    // A zero send timeout: nothing is read back here, so each write answers at once that it was not.
    // The catch-up answers true, as the real one does while the readable end is still before the pause.
    QueueAdmin admin = new QueueAdmin(pauses, null, null, Journal.discarding(), Clock.fixed(NOW, ZoneOffset.UTC),
        "p.queues", Duration.ZERO, q -> { }, () -> true);

    GoWorkException pause = assertThrows(GoWorkException.class, () -> admin.setPaused("emails", true, "smtp down"));
    assertEquals(ErrorCode.UNAVAILABLE, pause.code(), "committed, not read back");
    assertFalse(pauses.isPaused("emails"), "not in effect here until read back");
    assertFalse(admin.leftAsItIs("emails"), "this coordinator's own pause is on its way");
    GoWorkException resume = assertThrows(GoWorkException.class, () -> admin.setPaused("emails", false, null),
        "the resume must be written (and, as nothing reads it back here, be reported as not read back)");
    assertTrue(resume.getMessage().contains("not read back"), resume.getMessage());

    pauses.apply("emails", QueuePauses.notice("emails", true, NOW, "smtp down").encode(codec));
    assertTrue(pauses.isPaused("emails"));
    assertTrue(pauses.awaitsReadBack("emails"), "the resume, written after the pause in the same millisecond");
    pauses.apply("emails", QueuePauses.notice("emails", false, NOW, null).encode(codec));
    assertFalse(pauses.isPaused("emails"));
    assertFalse(pauses.awaitsReadBack("emails"));
    assertTrue(admin.leftAsItIs("emails"), "both read back: a resume of the queue, not paused, writes nothing");
    assertFalse(admin.setPaused("emails", false, null).paused(), "answered without waiting for a read-back");
    assertTrue(admin.leftAsItIs("never-paused"));
  }
}
