package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.work.WorkState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancelling a whole queue (Faktory's queue remove, Sidekiq's clear, BullMQ's drain) on a real
 * broker: its unfinished work, scheduled, queued or running, is cancelled with one work_cancelled
 * each; finished work and other queues are left alone.
 */
@ExtendWith(KafkaExtension.class)
class CancelQueueTest extends ServerFixture {
  @Test
  void everyUnfinishedItemOfTheQueueIsCancelledAndNothingElse(TestKafka k) {
    start(k);
    Work done = server.createWork("done", 60).withQueue("emails");
    server.add(done);
    server.cancel(done.id(), "finished before"); // terminal: the queue's cancel leaves it as it is

    List<Work> pending = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pending.add(server.createWork(Map.of("n", i), 60).withQueue("emails"));
    }
    pending.add(server.createWork("later", 60).withQueue("emails").withDelaySeconds(600));
    server.addAll(pending);
    Work other = server.createWork("kept", 60);
    server.add(other);

    WorkServer.QueueCancellation c = server.cancelQueue("emails", "campaign stopped");
    assertEquals(new WorkServer.QueueCancellation("emails", 6, 0, 0), c);
    for (Work w : pending) {
      assertEquals(WorkState.CANCELLED, server.status(w.id()).orElseThrow().state(), w.id());
      assertEquals("cancelled: campaign stopped", server.status(w.id()).orElseThrow().error());
      log.await(EventType.WORK_CANCELLED, w.id());
      assertOnce(log, EventType.WORK_CANCELLED, w.id());
    }
    assertEquals("cancelled: finished before", server.status(done.id()).orElseThrow().error());
    assertOnce(log, EventType.WORK_CANCELLED, done.id());
    assertEquals(WorkState.QUEUED, server.status(other.id()).orElseThrow().state());
    assertEquals(0L, server.queueSizes().getOrDefault("emails", 0L));
    assertEquals(new WorkServer.QueueCancellation("emails", 0, 0, 0), server.cancelQueue("emails", null),
        "nothing left to cancel");
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(GoWorkException.class,
        () -> server.cancelQueue("no spaces", null)).code());
  }
}
