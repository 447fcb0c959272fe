package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.Map;
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
}
