package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad records on the state and sessions topics are reported and skipped at rebuild; start() never fails on them. */
@ExtendWith(KafkaExtension.class)
class StateRebuildTest extends ServerFixture {

  @Test
  void corruptStateAndSessionRecordsAreReportedAndSkippedAtStart(TestKafka k) throws Exception {
    start(k);
    Session s = handshake();
    Work good = server.createWork("good", 600);
    server.add(good);
    try (Producer<String, byte[]> p = k.clients().producer()) {
      send(p, topics.state(), "junk", "{not json");
      send(p, topics.state(), "v9", "{\"v\":9,\"workId\":\"v9\"}");
      send(p, topics.state(), "half", "{\"v\":1,\"workId\":\"half\",\"queue\":\"default\"}");
      send(p, topics.sessions(), "w-bad", "{\"v\":1,\"workerId\":\"w-bad\"}");
      send(p, topics.sessions(), "w-junk", "[1,2");
    }
    crashAndRestart(() -> { });
    assertEquals(5, server.rebuilt().skipped());
    assertEquals(1, server.rebuilt().work());
    assertEquals(1, server.rebuilt().sessions());
    Poll.until(() -> log.of(EventType.RECORD_REJECTED).size() >= 5, Duration.ofSeconds(20),
        "five record_rejected events");
    List<Event> rejected = log.of(EventType.RECORD_REJECTED);
    assertTrue(rejected.stream().anyMatch(e -> e.error().contains("unsupported state record version 9")),
        rejected.toString());
    TestWorker worker = worker(s);
    worker.send(worker.take(Duration.ofSeconds(30)), ResultStatus.COMPLETED, "still works", null);
    log.await(EventType.WORK_COMPLETE, good.id());
  }

  private static void send(Producer<String, byte[]> p, String topic, String key, String value) throws Exception {
    p.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
  }
}
