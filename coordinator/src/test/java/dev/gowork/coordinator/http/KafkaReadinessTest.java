package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The readiness check against a real broker: its answer, its cache and the gauge it feeds. */
@ExtendWith(KafkaExtension.class)
class KafkaReadinessTest {

  @Test
  void notReadyUntilTheTopicsExistThenReadyAndTheGaugeFollows(TestKafka kafka) {
    String topic = kafka.topicPrefix() + ".results";
    AtomicLong nanos = new AtomicLong();
    try (KafkaReadiness readiness = new KafkaReadiness(kafka.clients().admin(), List.of(topic),
        Duration.ofSeconds(2), Duration.ofSeconds(2), nanos::get)) {
      assertEquals(0.0, readiness.lastReady(), "nothing checked yet");
      assertEquals("topics missing: [" + topic + "]", readiness.problem().orElseThrow());
      assertEquals(0.0, readiness.lastReady());

      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
      }
      assertTrue(readiness.problem().isPresent(), "the answer is kept for the cache period");
      nanos.addAndGet(Duration.ofSeconds(2).toNanos());
      assertTrue(readiness.problem().isEmpty());
      assertEquals(1.0, readiness.lastReady());
    }
  }

  @Test
  void kafkaThatDoesNotAnswerIsNamed() {
    try (KafkaReadiness readiness = new KafkaReadiness(
        new dev.gowork.broker.kafka.KafkaClients("127.0.0.1:1", java.util.Map.of()).admin(), List.of("t"), Duration.ofMillis(300),
        Duration.ofSeconds(2), System::nanoTime)) {
      assertEquals("Kafka does not answer within 300 ms", readiness.problem().orElseThrow());
      assertEquals(0.0, readiness.lastReady());
    }
  }
}
