package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each queue is a topic (and a share group) on the cluster: a queue name taken from input must not
 * create them without end. Past {@code maxQueues} work topics of the prefix, a new queue is refused,
 * whether work is added to it or asked for from it, and the queues that exist keep working.
 */
@ExtendWith(KafkaExtension.class)
class QueueLimitTest extends ServerFixture {

  @Test
  void aNewQueuePastTheLimitIsRefusedAndTheOthersKeepWorking(TestKafka k) {
    start(k, b -> b.maxQueues(2)).start(); // "default" is prepared at the start: one of two
    server.add(server.createWork(Map.of("n", 1), 60).withQueue("emails"));

    GoWorkException refused = assertThrows(GoWorkException.class,
        () -> server.addAll(List.of(server.createWork(Map.of("n", 2), 60).withQueue("emails"),
            server.createWork(Map.of("n", 3), 60).withQueue("reports"))));
    assertEquals(ErrorCode.CONFLICT, refused.code());
    assertTrue(refused.getMessage().contains("queue 'reports' would be a new queue")
        && refused.getMessage().contains("GOWORK_MAX_QUEUES=2"), refused.getMessage());
    assertEquals(1, server.queueSizes().getOrDefault("emails", 0L), "nothing of the refused batch was added");

    Session s = handshake();
    GoWorkException asked = assertThrows(GoWorkException.class, () -> server.get(s.workerId(), s.sessionKey(), "x"));
    assertEquals(ErrorCode.CONFLICT, asked.code(), "a worker asking for a new queue creates no topic either");
    log.await(e -> e.type() == dev.gowork.broker.wire.EventType.GET_WORK_ERROR && "x".equals(e.queue())
        && e.error() != null && e.error().contains("GOWORK_MAX_QUEUES"), Duration.ofSeconds(30), "the refusal's event");

    assertEquals(2, server.queueLimitRefusals(), "the batch and the worker's request");

    server.add(server.createWork(Map.of("n", 4), 60).withQueue("emails"));
    server.add(server.createWork(Map.of("n", 5), 60));
    assertEquals(2, server.queueSizes().get("emails"));
    assertEquals(1, server.queueSizes().get("default"));
  }

  /**
   * The coordinator's own queues (the default one, and those it is configured with) are settings, not
   * input: a coordinator whose default queue's topic is missing (a new cluster filled by other
   * coordinators' queues, or a deleted topic) while the limit is reached must still start.
   */
  @Test
  void theDefaultAndConfiguredQueuesAreNeverRefused(TestKafka k) throws Exception {
    dev.gowork.broker.topic.Topics prefix = dev.gowork.broker.topic.Topics.of(k.topicPrefix());
    try (Admin admin = k.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(prefix.work("other"), 1, 1)));
    }
    start(k, b -> b.maxQueues(1).queues("default", "emails")).start();
    server.add(server.createWork(Map.of("n", 1), 60));
    server.add(server.createWork(Map.of("n", 2), 60).withQueue("emails"));
    assertEquals(Map.of("default", 1L, "emails", 1L), server.queueSizes());

    GoWorkException refused = assertThrows(GoWorkException.class,
        () -> server.add(server.createWork(Map.of("n", 3), 60).withQueue("reports")));
    assertEquals(ErrorCode.CONFLICT, refused.code(), "other queues still count against the limit");
  }

  @Test
  void aScheduleForANewQueuePastTheLimitIsRefusedWhenDefined(TestKafka k) {
    start(k, b -> b.maxQueues(1)).start();
    GoWorkException refused = assertThrows(GoWorkException.class, () -> server.schedule(
        Schedule.every("digest", Duration.ofHours(1), null, 60).withQueue("reports")));
    assertEquals(ErrorCode.CONFLICT, refused.code());
    assertTrue(refused.getMessage().contains("GOWORK_MAX_QUEUES=1"), refused.getMessage());
    assertTrue(server.schedules().isEmpty(), "not defined");
  }

  /**
   * A run refused by the limit (its queue's topic deleted, and the limit reached meanwhile) is a
   * failure, tried again: it was taken for a run already added (both are CONFLICT), recorded as run,
   * and its work never added.
   */
  @Test
  void aScheduledRunRefusedByTheLimitIsTriedAgainNotRecordedAsRun(TestKafka k) throws Exception {
    start(k, b -> b.maxQueues(2)).start(); // "default", and the schedule's queue
    Instant first = server.schedule(Schedule.every("digest", Duration.ofHours(1), null, 60).withQueue("reports"))
        .nextRunAt();
    try (Admin admin = k.clients().admin()) {
      admin.deleteTopics(List.of(topics.work("reports"))).all().get(30, TimeUnit.SECONDS);
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topics.work("other"), 1, 1)));
      crashAndRestart(() -> { }); // a new process: no queue prepared yet
      clock.advance(Duration.between(clock.instant(), first.plusMillis(100)));
      Poll.until(() -> server.scheduleRunFailures() > 0 ? true : null, Duration.ofSeconds(30), "the run refused");
      assertEquals(null, server.scheduleStatus("digest").orElseThrow().lastRunAt(), "not recorded as run");
      assertTrue(server.status("digest@" + first).isEmpty());

      admin.deleteTopics(List.of(topics.work("other"))).all().get(30, TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(5)); // its retry
      Poll.until(() -> server.scheduleStatus("digest").map(x -> x.lastRunAt()).orElse(null), Duration.ofSeconds(30),
          "the run recorded once there is room");
      assertEquals(first, server.scheduleStatus("digest").orElseThrow().lastRunAt());
      assertEquals("reports", server.status("digest@" + first).orElseThrow().queue());
    }
  }
}
