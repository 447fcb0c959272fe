package dev.gowork.broker.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaProcessTest {

    @Test
    void childBrokerServesClientsAndStopsWhenItsParentGoes(@TempDir Path dir) throws Exception {
        try (KafkaProcess kafka = KafkaProcess.start(dir, List.of("-Xmx512m"))) {
            KafkaClients clients = new KafkaClients(kafka.bootstrapServers(), Map.of());
            try (Admin admin = clients.admin()) {
                new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of("child.t", 1, 1)));
            }
            try (Producer<String, byte[]> producer = clients.producer()) {
                producer.send(new ProducerRecord<>("child.t", "k", "v".getBytes(StandardCharsets.UTF_8))).get();
            }
            try (Consumer<String, byte[]> consumer = clients.consumer("child.reader", Map.of())) {
                consumer.subscribe(List.of("child.t"));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.key() + "=" + new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                assertEquals(List.of("k=v"), values);
            }
            assertTrue(kafka.cpuTime().toMillis() > 0, "the child's CPU time is read");
            assertTrue(Files.exists(dir.resolve("kafka").resolve("meta.properties")), "data in <dataDir>/kafka");

            // What the child sees when this JVM dies, however it dies: its standard input ends.
            kafka.closeInput();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (kafka.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(kafka.isAlive(), "the broker process stops once its parent's pipe closes");
            assertEquals(0, kafka.exitCode(), "a clean stop");
            assertEquals(kafka.bootstrapServers(),
                    Files.readString(dir.resolve(KafkaProcess.ADDRESS_FILE)).trim(), "the address it reported");
        }
        assertTrue(Files.exists(dir.resolve("kafka-process.log")), "the child logs to kafka-process.log");
    }

    @Test
    void childThatCannotStartIsReportedWithWhereItsLogIs(@TempDir Path dir) {
        KafkaException error = assertThrows(KafkaException.class,
                () -> KafkaProcess.start(dir, List.of("-Xmx1k")));
        assertTrue(error.getMessage().contains("exited with code"), error.getMessage());
        assertTrue(error.getMessage().contains(dir.resolve("kafka-process.log").toString()), error.getMessage());
    }
}
