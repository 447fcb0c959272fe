package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A paused queue on a real broker: it is kept across a restart, the seed's {@code get} hands out none
 * of its work until it is resumed, and other queues are not affected. (That Kafka worker replicas stop
 * taking its work is {@code ControlNoticesTest}'s.)
 */
@ExtendWith(KafkaExtension.class)
class QueuePauseTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aPausedQueueHandsOutNothingUntilResumedAndStaysPausedAcrossARestart(TestKafka k) {
    start(k);
    Session s = handshake();
    Work held = server.createWork(Map.of("n", 1), 60).withQueue("emails");
    Work free = server.createWork(Map.of("n", 2), 60);
    server.addAll(java.util.List.of(held, free));

    assertEquals("smtp down", server.pauseQueue("emails", " smtp down ").reason());
    assertEquals(java.util.Set.of("emails"), server.pausedQueues().keySet());
    crashAndRestart(() -> { });
    assertEquals(java.util.Set.of("emails"), server.pausedQueues().keySet(), "read back at start");
    for (int i = 0; i < 3; i++) {
      assertTrue(server.get(s.workerId(), s.sessionKey(), "emails").isEmpty(), "paused: nothing handed out");
    }
    assertEquals(free.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT,
        "work of another queue").workId());

    server.resumeQueue("emails");
    assertEquals(Map.of(), server.pausedQueues());
    assertEquals(held.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey(), "emails").orElse(null), WAIT,
        "the resumed queue's work").workId());
  }

  /**
   * Each name paused or resumed stays in the compacted {@code <p>.queues}, which every coordinator and
   * replica reads whole: names from input must be bounded. A queue is prepared before it is paused, so
   * {@code GOWORK_MAX_QUEUES} bounds the paused names (a queue may still be paused before its first
   * work), and resuming a queue that is not paused writes nothing.
   */
  @Test
  void pausedNamesAreQueuesSoTheQueueLimitBoundsThem(TestKafka k) throws Exception {
    start(k, b -> b.maxQueues(2)).start(); // "default": one of two
    server.pauseQueue("emails", "before its first work");
    try (Admin admin = k.clients().admin()) {
      assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topics.work("emails")), "prepared");
    }
    GoWorkException refused = assertThrows(GoWorkException.class, () -> server.pauseQueue("user-1", null));
    assertEquals(ErrorCode.CONFLICT, refused.code());
    assertTrue(refused.getMessage().contains("GOWORK_MAX_QUEUES=2"), refused.getMessage());
    server.pauseQueue("default", null); // a queue that exists, at the limit
    assertFalse(server.resumeQueue("user-2").paused());
    assertEquals(Set.of("default", "emails"), server.pausedQueues().keySet());
    assertEquals(Set.of("default", "emails"), queuesTopicKeys(), "nothing written for the refused or unpaused names");

    Session s = handshake();
    Work held = server.createWork(Map.of("n", 1), 60).withQueue("emails");
    server.add(held);
    assertTrue(server.get(s.workerId(), s.sessionKey(), "emails").isEmpty(), "paused before its first work");
    server.resumeQueue("emails");
    assertEquals(held.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey(), "emails").orElse(null), WAIT,
        "the resumed queue's work").workId());
  }

  private Set<String> queuesTopicKeys() {
    TopicPartition tp = new TopicPartition(topics.queues(), 0);
    try (var c = kafka.clients().consumer(null, Map.of())) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      Set<String> keys = new HashSet<>();
      Poll.until(() -> {
        c.poll(Duration.ofMillis(100)).forEach(r -> keys.add(r.key()));
        return c.position(tp) >= end ? true : null;
      }, WAIT, "the end of " + topics.queues());
      return keys;
    }
  }
}
