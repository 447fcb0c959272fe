package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.auth.Session;
import java.util.List;
import java.util.Map;
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

    server.add(server.createWork(Map.of("n", 4), 60).withQueue("emails"));
    server.add(server.createWork(Map.of("n", 5), 60));
    assertEquals(2, server.queueSizes().get("emails"));
    assertEquals(1, server.queueSizes().get("default"));
  }
}
