package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Work added with a delay (Sidekiq's perform_in, BullMQ's delay): scheduled and out of the workers'
 * reach until due, then queued as any work, its timeout counted from then; kept across a restart;
 * cancellable while it waits. The clock is the fixture's: the delay passes when the test says so.
 */
@ExtendWith(KafkaExtension.class)
class DelayedWorkTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void delayedWorkWaitsScheduledThenIsQueuedWithItsTimeoutCountedFromThen(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = server.createWork(Map.of("send", "reminder"), 60).withDelaySeconds(30);
    server.add(work);

    WorkStatus waiting = server.status(work.id()).orElseThrow();
    assertEquals(WorkState.SCHEDULED, waiting.state());
    assertEquals(waiting.createdAt().plusSeconds(30), waiting.runAt());
    assertEquals(waiting.createdAt().plusSeconds(90), waiting.deadline(), "the timeout counts from the run time");
    assertEquals(Map.of("default", 1L), server.queueSizes());
    assertEquals(1L, server.queueStates().get("default").get(WorkState.SCHEDULED));
    worker.assertNothingWithin(Duration.ofSeconds(1));

    clock.advance(Duration.ofSeconds(31));
    WorkEnvelope got = worker.take(WAIT);
    assertEquals(work.id(), got.workId());
    assertEquals(1, got.attempt());
    assertEquals(waiting.deadline(), got.deadline());
    assertEquals("reminder", got.data().get("send").asText());
    worker.send(got, ResultStatus.COMPLETED, "sent", null);
    log.await(EventType.WORK_COMPLETE, work.id());
    assertOnce(log, EventType.ADD_WORK, work.id());
    assertEquals(0, log.of(EventType.WORK_RETRY, work.id()).size(), "its first publication is not a retry");
  }

  @Test
  void scheduledWorkIsKeptAcrossARestartAndCanBeCancelledWhileItWaits(TestKafka k) {
    start(k);
    Session s = handshake();
    Work kept = server.createWork("kept", 60).withDelaySeconds(20);
    Work dropped = server.createWork("dropped", 60).withDelaySeconds(20);
    server.addAll(java.util.List.of(kept, dropped));

    crashAndRestart(() -> { });
    assertEquals(WorkState.SCHEDULED, Poll.until(() -> server.status(kept.id()).orElse(null), WAIT, "kept rebuilt")
        .state());
    assertEquals(WorkState.CANCELLED, server.cancel(dropped.id(), "not needed").state());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class,
        () -> server.requeue(kept.id())).code(), "scheduled work is not a dead letter");

    clock.advance(Duration.ofSeconds(21));
    TestWorker worker = worker(s);
    assertEquals(kept.id(), worker.take(WAIT).workId());
    worker.assertNothingWithin(Duration.ofSeconds(1));
    assertEquals(WorkState.QUEUED, server.status(kept.id()).orElseThrow().state());
    assertEquals(WorkState.CANCELLED, server.status(dropped.id()).orElseThrow().state());
  }

  @Test
  void aDelayOutsideZeroToSevenDaysIsRefused() {
    Work w = Work.create(1, 60);
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(GoWorkException.class, () -> w.withDelaySeconds(-1)).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(GoWorkException.class,
        () -> w.withDelaySeconds(Work.MAX_DELAY_SECONDS + 1)).code());
    assertEquals(0, w.withDelaySeconds(0).delaySeconds());
  }
}
