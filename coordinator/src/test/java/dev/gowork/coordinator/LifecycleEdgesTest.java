package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Edges of the work lifecycle beyond add and complete. */
@ExtendWith(KafkaExtension.class)
class LifecycleEdgesTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Work deadLetter(TestWorker worker) {
    Work work = server.createWork("doomed", 600).withMaxAttempts(2);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    clock.advance(Duration.ofSeconds(1));
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "second");
    log.await(EventType.WORK_DEAD, work.id());
    return work;
  }

  /**
   * The payload of a dead letter is gone from its work topic (Kafka's retention deleted it, as it does
   * after 7 days, while a dead letter is kept up to 7 days after it died): the requeue is refused, and
   * the dead letter must stay a dead letter, not turn into queued work that nobody will ever receive.
   */
  @Test
  void aRequeueThatCannotRepublishLeavesTheDeadLetterDead(TestKafka k) throws Exception {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = deadLetter(worker);
    try (Admin admin = k.clients().admin()) {
      String topic = topics.work(Topics.DEFAULT_QUEUE);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
      admin.listOffsets(latest).all().get()
          .forEach((tp, info) -> deletions.put(tp, RecordsToDelete.beforeOffset(info.offset())));
      admin.deleteRecords(deletions).all().get();
    }
    GoWorkException refused = assertThrows(GoWorkException.class, () -> server.requeue(work.id()));
    assertEquals(ErrorCode.NOT_FOUND, refused.code(), refused.getMessage());
    assertEquals(WorkState.DEAD, server.status(work.id()).orElseThrow().state(),
        "a requeue that failed must leave the dead letter as it was");
    assertEquals(1, server.deadLetters().size());
  }

  /**
   * A retry waits for its backoff (here 30 to 60 min) also when the coordinator restarts meanwhile:
   * the successor must not retry at once.
   */
  @Test
  void aRetryWaitingAtARestartStillWaitsForItsBackoff(TestKafka k) {
    start(k, b -> b.retryBackoff(Duration.ofHours(1), Duration.ofHours(1))).start();
    TestWorker worker = worker(handshake());
    Work work = server.createWork("flaky", 7200).withMaxAttempts(3);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    Poll.until(() -> EventsTopic.readAll(k.clients(), topics.events()).stream()
        .anyMatch(e -> e.type() == EventType.WORK_FAILED), WAIT, "work_failed committed");
    crashAndRestart(() -> { });
    assertEquals(WorkState.RETRY_WAIT, server.status(work.id()).orElseThrow().state());
    // A sentinel the retry task releases 1 s from now: the task takes what is due in the order it is due,
    // so once the sentinel is released, a retry planned for the restart's "now" would have been made.
    Work sentinel = server.createWork("sentinel", 600).withQueue("sentinel").withDelaySeconds(1);
    server.add(sentinel);
    clock.advance(Duration.ofSeconds(2));
    Poll.until(() -> server.status(sentinel.id()).map(s -> s.state() == WorkState.QUEUED).orElse(false), WAIT,
        "the sentinel to be released");
    assertEquals(WorkState.RETRY_WAIT, server.status(work.id()).orElseThrow().state(),
        "retried at once after the restart, not after its backoff");

    clock.advance(Duration.ofHours(1));
    assertEquals(2, log.await(EventType.WORK_RETRY, work.id()).attempt());
    assertEquals(2, worker.take(WAIT).attempt());
  }

  /**
   * Kafka is away when a retry falls due, for longer than the retry task's ten put-offs: once it is
   * back, the retry must still be published (at least once until the deadline), not left queued for
   * nobody until it times out.
   */
  @Test
  void aRetryDueWhileKafkaIsAwayIsPublishedOnceItIsBack(TestKafka k) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(k.embedded().isPresent(), "needs the embedded broker");
    start(k, b -> b.sendTimeout(Duration.ofSeconds(1))).start();
    TestWorker worker = worker(handshake());
    Work work = server.createWork("flaky", 7200).withMaxAttempts(2);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    Poll.until(() -> EventsTopic.readAll(k.clients(), topics.events()).stream()
        .anyMatch(e -> e.type() == EventType.WORK_FAILED), WAIT, "work_failed committed");
    dev.gowork.broker.embedded.EmbeddedKafka broker = k.embedded().orElseThrow();
    try (var warnings = dev.gowork.coordinator.testing.CapturedWarnings.start("dev.gowork.coordinator.retry")) {
      broker.stop();
      try {
        // Each try fails (read or send times out after 1 s) and is put off by 1 s of the clock.
        for (int i = 0; i < 60 && warnings.lines().stream().noneMatch(l -> l.contains("failed 10 times")); i++) {
          clock.advance(Duration.ofSeconds(1));
          Thread.sleep(500);
        }
      } finally {
        broker.start();
      }
    }
    var second = Poll.until(() -> {
      clock.advance(Duration.ofSeconds(1));
      return worker.poll(Duration.ofMillis(300));
    }, Duration.ofSeconds(90), "attempt 2 to reach the worker");
    assertEquals(2, second.attempt());
  }
}
