package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Security review: what a wrong answer to verify tells about a worker id. */
class VerifyOracleTest {
  private static final SharedSecret SECRET = SharedSecret.of("0123456789abcdef0123456789abcdef");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventLog log = new EventLog();
  private final EventDispatcher events = new EventDispatcher(clock, log);
  private final WorkerRegistry registry = new WorkerRegistry(SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  private List<ErrorCode> sixWrongAnswers(String workerId) {
    List<ErrorCode> codes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      codes.add(assertThrows(GoWorkException.class, () -> registry.verify(workerId, "bm9wZQ==")).code());
    }
    return codes;
  }

  /**
   * The contract: a wrong answer reveals nothing, the same for an unknown and a known worker. A
   * verified worker's id (its challenge long used) answers 429 after five wrong answers; an id
   * nobody registered answers 401 for ever: whoever can call verify learns which ids are real.
   */
  @Test
  void wrongAnswersForAKnownAndAnUnknownWorkerLookTheSame() {
    Registration r = registry.register();
    registry.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    clock.advance(Duration.ofMinutes(10));
    // Same shape and age as the real id, but never registered.
    String unknown = "w-0123456789abcdef-" + r.workerId().substring(r.workerId().lastIndexOf('-') + 1);
    assertNotEquals(r.workerId(), unknown);
    assertEquals(sixWrongAnswers(unknown), sixWrongAnswers(r.workerId()));
  }

  /** Same for a registration whose challenge expired but that the sweep has not dropped yet. */
  @Test
  void anExpiredRegistrationLooksLikeAnUnknownId() {
    Registration r = registry.register();
    clock.advance(Duration.ofMinutes(6));
    String unknown = "w-0123456789abcdef-" + r.workerId().substring(r.workerId().lastIndexOf('-') + 1);
    assertEquals(sixWrongAnswers(unknown), sixWrongAnswers(r.workerId()));
  }

  /**
   * An id a caller makes up (any text between "w-" and a recent base-36 time, up to 200 characters,
   * control characters included) becomes a pending registration: it is listed by GET /v1/workers
   * and copied into worker_verify_error events, although registry ids always have the shape
   * w-<16 hex>-<base-36 time> and a caller's text is meant to stay out of events.
   */
  @Test
  void aMadeUpIdOfAnotherShapeIsNeitherListedNorCopiedIntoEvents() {
    String time = Long.toString(clock.millis(), 36);
    String madeUp = "w-\n{\"forged\":true}" + "x".repeat(150) + "-" + time;
    assertEquals(ErrorCode.UNAUTHENTICATED,
        assertThrows(GoWorkException.class, () -> registry.verify(madeUp, "bm9wZQ==")).code());
    assertEquals(List.of(), registry.list().stream().map(WorkerSummary::workerId).toList());
    events.close();
    assertEquals(1, log.of(dev.gowork.broker.wire.EventType.WORKER_VERIFY_ERROR).size());
    assertEquals(null, log.of(dev.gowork.broker.wire.EventType.WORKER_VERIFY_ERROR).get(0).workerId());
  }
}
