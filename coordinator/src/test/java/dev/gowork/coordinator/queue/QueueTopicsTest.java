package dev.gowork.coordinator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** QueueTopics against a real broker. */
@ExtendWith(KafkaExtension.class)
class QueueTopicsTest {

  /**
   * Queue names past GOWORK_MAX_QUEUES come from input (a producer bug, a user id as the queue): each
   * refusal must leave nothing behind, or the limit that keeps the cluster's topics bounded lets the
   * coordinator's heap grow without end instead.
   */
  @Test
  void refusedQueuesLeaveNothingBehind(TestKafka k) {
    Topics topics = Topics.of(k.newPrefix());
    try (Admin admin = k.clients().admin()) {
      QueueTopics queues = new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 1, Set.of());
      queues.ensure("default");
      for (int i = 0; i < 20; i++) {
        String queue = "user-" + i;
        GoWorkException e = assertThrows(GoWorkException.class, () -> queues.ensure(queue));
        assertEquals(ErrorCode.CONFLICT, e.code(), e.getMessage());
      }
      assertEquals(0, queues.preparing(), "nothing kept for the refused queues");
      assertEquals(Set.of("default"), queues.queues());
      queues.ensure("default"); // still ready
    }
  }
}
