package dev.gowork.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

    @Test
    void passThroughFromEnvKeepsOnlyGoworkKafkaVariables() {
        Map<String, String> env = Map.of(
                "GOWORK_KAFKA_SECURITY_PROTOCOL", "SSL",
                "GOWORK_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.jks",
                "GOWORK_KAFKA_", "ignored",
                "GOWORK_BOOTSTRAP_SERVERS", "ignored:9092",
                "PATH", "/usr/bin");

        assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/kafka/truststore.jks"),
                KafkaClients.passThroughFromEnv(env));
    }

    @Test
    void theFileNamedByGoworkKafkaPropertiesFileIsReadAndTheVariablesWinOverIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n", StandardCharsets.UTF_8);
        Map<String, String> env = Map.of(
                "GOWORK_KAFKA_PROPERTIES_FILE", file.toString(),
                "GOWORK_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");

        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
                KafkaClients.fromFileAndEnv(env));
        assertEquals(Map.of("sasl.mechanism", "SCRAM-SHA-512"), KafkaClients.passThroughFromEnv(env),
                "the variable naming the file is not a Kafka property");
        assertEquals(Map.of(), KafkaClients.fromFileAndEnv(Map.of()));
        assertThrows(UncheckedIOException.class, () -> KafkaClients.fromFileAndEnv(
                Map.of("GOWORK_KAFKA_PROPERTIES_FILE", dir.resolve("missing").toString())));
    }

    @Test
    void aValueKafkaWouldRefuseFailsAtOnceNamingItsVariable() {
        for (Map.Entry<String, String> bad : Map.of("GOWORK_KAFKA_SECURITY_PROTOCOL", "FOO",
                "GOWORK_KAFKA_LINGER_MS", "soon", "GOWORK_KAFKA_SHARE_ACQUIRE_MODE", "greedy").entrySet()) {
            dev.gowork.broker.GoWorkException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.gowork.broker.GoWorkException.class,
                    () -> KafkaClients.fromFileAndEnv(null, Map.of(bad.getKey(), bad.getValue())));
            assertEquals(dev.gowork.broker.ErrorCode.INVALID_ARGUMENT, e.code());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
        }
        // Right values, and names Kafka does not define, pass as before.
        assertEquals(Map.of("linger.ms", "5", "security.protocol", "PLAINTEXT", "my.interceptor.setting", "x"),
                KafkaClients.fromFileAndEnv(null, Map.of("GOWORK_KAFKA_LINGER_MS", "5",
                        "GOWORK_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", "GOWORK_KAFKA_MY_INTERCEPTOR_SETTING", "x")));
    }

    @Test
    void loadPropertiesReadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "# TLS\nsecurity.protocol=SSL\nsasl.mechanism = PLAIN\n", StandardCharsets.UTF_8);

        assertEquals(Map.of("security.protocol", "SSL", "sasl.mechanism", "PLAIN"), KafkaClients.loadProperties(file));
    }

    @Test
    void loadPropertiesNamesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        UncheckedIOException error = assertThrows(UncheckedIOException.class, () -> KafkaClients.loadProperties(missing));
        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }

    @Test
    void shareConsumerLeavesOutPassThroughThatShareGroupsRefuse() {
        KafkaClients clients = new KafkaClients("127.0.0.1:1",
                Map.of("isolation.level", "read_committed", "auto.offset.reset", "earliest", "client.id", "x"));
        try (ShareConsumer<String, byte[]> consumer = clients.shareConsumer("g", Map.of())) {
            assertTrue(consumer.subscription().isEmpty());
        }
    }

    @Test
    void consumerLeavesOutPassThroughOfShareConsumersOnly() {
        // A Kafka consumer refuses share.acquire.mode: GOWORK_KAFKA_SHARE_ACQUIRE_MODE once stopped the coordinator.
        KafkaClients clients = new KafkaClients("127.0.0.1:1",
                Map.of("share.acquire.mode", "batch_optimized", "share.acknowledgement.mode", "explicit", "client.id", "x"));
        try (Consumer<String, byte[]> consumer = clients.consumer("g", Map.of())) {
            assertTrue(consumer.subscription().isEmpty());
        }
        try (ShareConsumer<String, byte[]> consumer = clients.shareConsumer("g", Map.of())) {
            assertTrue(consumer.subscription().isEmpty());
        }
    }

    @Test
    void consumerWithoutAGroupLeavesOutTheGroupsSessionSettings() {
        // GOWORK_KAFKA_SESSION_TIMEOUT_MS, meant for the coordinators' (classic) groups, once stopped the
        // coordinator: its state readers, of the default consumer protocol, refused session.timeout.ms.
        KafkaClients clients = new KafkaClients("127.0.0.1:1",
                Map.of("session.timeout.ms", "10000", "heartbeat.interval.ms", "3000", "client.id", "x"));
        try (Consumer<String, byte[]> consumer = clients.consumer(null, Map.of())) {
            assertTrue(consumer.subscription().isEmpty());
        }
        try (Consumer<String, byte[]> consumer = clients.consumer("g", Map.of("group.protocol", "classic"))) {
            assertTrue(consumer.subscription().isEmpty());
        }
    }

    @Test
    void aConsumerOfAGroupKeepsTheSessionSettingsAndItsOwnInstanceId() {
        KafkaClients clients = new KafkaClients("127.0.0.1:1",
                Map.of("session.timeout.ms", "10000", "group.instance.id", "operator-set"));
        Map<String, Object> grouped = clients.consumerConfig("g", Map.of("group.instance.id", "p.coordinator-a"));
        assertEquals("10000", grouped.get("session.timeout.ms"));
        // The coordinators' static membership must match their transactional ids: an operator's
        // GOWORK_KAFKA_GROUP_INSTANCE_ID once replaced it, and fenced coordinators could not be told apart.
        assertEquals("p.coordinator-a", grouped.get("group.instance.id"));
        Map<String, Object> alone = clients.consumerConfig(null, Map.of());
        assertFalse(alone.containsKey("session.timeout.ms"));
        assertFalse(alone.containsKey("group.instance.id"));
    }

    @Test
    void refusesBlankArguments() {
        assertThrows(IllegalArgumentException.class, () -> new KafkaClients(" ", Map.of()));
        KafkaClients clients = new KafkaClients("127.0.0.1:1", Map.of());
        assertThrows(IllegalArgumentException.class, () -> clients.shareConsumer("", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> clients.transactionalProducer(null));
        assertEquals("127.0.0.1:1", clients.bootstrapServers());
    }
}
