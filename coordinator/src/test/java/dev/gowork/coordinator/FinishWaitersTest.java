package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link WorkServer#whenFinished}'s waits as the server closes (no Kafka involved: the table alone). */
class FinishWaitersTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));

  /**
   * A wait begun as the server closed (it read "open", then the close finished every signal and
   * stopped the pool) threw the pool's RejectedExecutionException at the caller. It now completes
   * with the status then, as a wait begun after the close does.
   */
  @Test
  void aWaitBegunAsTheServerClosesAnswersWithTheStatusInsteadOfThrowing() {
    EventDispatcher events = new EventDispatcher(clock, new EventLog());
    try {
      WorkTable table = new WorkTable(events, WireCodec.defaults());
      Instant t = clock.instant();
      table.queued(new WorkEnvelope("a", "default", 1, 1, 60, TextNode.valueOf("x"), t, t.plusSeconds(60)),
          clock.millis());
      FinishWaiters[] waiters = new FinishWaiters[1];
      waiters[0] = new FinishWaiters(table, () -> {
        // WorkServer.close() runs right after this wait found the server open.
        table.finishAllWatches();
        waiters[0].shutdown();
        return false;
      });
      CompletableFuture<Optional<WorkStatus>> wait = assertDoesNotThrow(
          () -> waiters[0].whenFinished("a", Duration.ofSeconds(30)));
      assertTrue(wait.isDone(), "answered at once, not after its timeout");
      assertEquals(WorkState.QUEUED, wait.join().orElseThrow().state());
    } finally {
      events.close();
    }
  }
}
