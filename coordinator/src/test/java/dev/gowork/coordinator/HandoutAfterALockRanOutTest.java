package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP and Kafka workers on one queue: a record that a Kafka worker did not acknowledge is delivered
 * again, and the coordinator hands it out over HTTP as the next attempt, as a Kafka worker would count
 * it, so that {@code work_started} fires once per attempt.
 */
@ExtendWith(KafkaExtension.class)
class HandoutAfterALockRanOutTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aRecordHandedOutOverHttpAfterAKafkaWorkersLockRanOutIsTheNextAttemptAndStartsOnceEach(TestKafka k) {
    start(k);
    Session kafkaSession = handshake();
    Work work = server.createWork("slow", 600);
    server.add(work);
    WorkEnvelope held;
    // The Kafka worker takes the record, says it runs it, and is gone before it acknowledges it: the
    // group delivers the record again once its lock ran out (or at once, if the broker saw it leave).
    // Closed here, so that its consumer cannot take the record back before the coordinator does.
    try (TestWorker kafkaWorker = new TestWorker(kafka.clients(), topics, Topics.DEFAULT_QUEUE,
        kafkaSession.workerId(), kafkaSession.sessionKey(), clock)) {
      held = kafkaWorker.takeWithoutAck(WAIT);
      kafkaWorker.send(held, ResultStatus.RUNNING, null, null);
      log.await(EventType.WORK_STARTED, work.id());
    }
    Session http = handshake();
    WorkEnvelope got = Poll.until(() -> server.get(http.workerId(), http.sessionKey()).orElse(null), WAIT,
        "the record delivered again");
    assertEquals(held.attempt() + 1, got.attempt(), "the second delivery is the next attempt");
    server.submit(http.workerId(), http.sessionKey(), new ResultEnvelope(work.id(), got.attempt(),
        ResultStatus.COMPLETED, null, null, null, 1));
    log.await(EventType.WORK_COMPLETE, work.id());
    assertEquals(List.of(held.attempt(), got.attempt()), log.of(EventType.WORK_STARTED, work.id()).stream()
        .map(e -> e.attempt()).toList(), "work_started once per attempt");
    assertEquals(List.of(kafkaSession.workerId(), http.workerId()), log.of(EventType.WORK_STARTED, work.id()).stream()
        .map(e -> e.workerId()).toList());
  }
}
