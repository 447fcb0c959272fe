package dev.gowork.broker.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class EmbeddedKafkaTest {

    @Test
    void restartKeepsTopicsAndRecordsOnTheSameAddress(TestKafka kafka) throws Exception {
        assumeTrue(kafka.embedded().isPresent(), "needs the embedded broker");
        EmbeddedKafka broker = kafka.embedded().get();
        String topic = kafka.topicPrefix() + ".durable";
        KafkaClients clients = kafka.clients();
        try (Admin admin = clients.admin()) {
            new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
        }
        try (Producer<String, byte[]> producer = clients.producer()) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        String address = broker.bootstrapServers();

        broker.stop();
        broker.stop();
        broker.start();

        assertEquals(address, broker.bootstrapServers());
        try (Admin admin = clients.admin()) {
            assertTrue(new TopicProvisioner(admin).topicsExist(List.of(topic)));
        }
        try (Consumer<String, byte[]> consumer = clients.consumer(kafka.topicPrefix() + ".reader", Map.of())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.key() + "=" + new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(List.of("k0=v0", "k1=v1", "k2=v2", "k3=v3", "k4=v4"), values);
        }
    }

    @Test
    void brokerIsSetUpForShareGroupsOnOneNode(TestKafka kafka) throws Exception {
        assumeTrue(kafka.embedded().isPresent(), "needs the embedded broker");
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config config;
        try (Admin admin = kafka.clients().admin()) {
            config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
        }
        Map<String, String> expected = Map.ofEntries(
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.share.min.heartbeat.interval.ms", "500"),
                Map.entry("group.share.heartbeat.interval.ms", "1000"),
                Map.entry("group.share.min.record.lock.duration.ms", "1000"),
                Map.entry("group.share.assignment.interval.ms", "0"),
                Map.entry("group.consumer.assignment.interval.ms", "0"),
                Map.entry("broker.session.timeout.ms", "4000"),
                Map.entry("broker.heartbeat.interval.ms", "1000"),
                Map.entry("errors.deadletterqueue.auto.create.topics.enable", "true"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.num.partitions", "4"));
        expected.forEach((name, value) -> assertEquals(value, config.get(name).value(), name));
    }

    @Test
    void invalidBrokerConfigIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        KafkaException error = assertThrows(KafkaException.class, () ->
                EmbeddedKafka.builder().dataDir(dir).brokerConfig("num.io.threads", "many").start());
        assertTrue(error.getMessage().contains("num.io.threads"), error.getMessage());
    }

    @Test
    void failedStartReleasesTheDataFolder(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThrows(KafkaException.class, () ->
                    EmbeddedKafka.builder().dataDir(dir).port(taken.getLocalPort()).start());
        }
        assertTrue(Files.exists(dir.resolve("kafka").resolve("meta.properties")));
        // The log directory lock was released, so the same folder starts cleanly.
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).start()) {
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"));
            assertEquals(dir.toAbsolutePath(), kafka.dataDir());
        }
    }

    @Test
    void aFolderInUseIsRefusedBeforeTheSecondBrokerTouchesIt(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dir).start()) {
            // In this process, and in another (a second coordinator on the same GOWORK_DATA_DIR).
            KafkaException error = assertThrows(KafkaException.class, () ->
                    EmbeddedKafka.builder().dataDir(dir).start());
            assertThrows(KafkaException.class, () -> KafkaProcess.start(dir, List.of("-Xmx256m")).close());
            // The first broker's metadata is intact: it still creates topics.
            try (Admin admin = new KafkaClients(first.bootstrapServers(), Map.of()).admin()) {
                new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of("after-refusal", 1, 1)));
                assertTrue(new TopicProvisioner(admin).topicsExist(List.of("after-refusal")));
            }
            assertTrue(error.getMessage().contains("is in use by another embedded Kafka"), error.getMessage());
        }
        // Stopping released the folder.
        try (EmbeddedKafka again = EmbeddedKafka.builder().dataDir(dir).start()) {
            assertTrue(again.bootstrapServers().startsWith("127.0.0.1:"));
        }
    }

    @Test
    void builderRefusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.builder().port(70_000));
        assertThrows(IllegalStateException.class, () -> EmbeddedKafka.builder().start());
    }
}
