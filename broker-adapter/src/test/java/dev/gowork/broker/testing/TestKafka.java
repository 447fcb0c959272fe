package dev.gowork.broker.testing;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.kafka.KafkaClients;

/**
 * The Kafka broker of this test JVM, as one test sees it: the shared broker plus a topic prefix of
 * its own, so tests never see each other's topics or groups. Injected by {@link KafkaExtension}.
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class MyTest {
 *     @Test
 *     void works(TestKafka kafka) {
 *         String topic = kafka.topicPrefix() + ".work.default";
 *         try (Admin admin = kafka.clients().admin()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class TestKafka {

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final SharedBroker broker;
    private final String topicPrefix;

    TestKafka(SharedBroker broker) {
        this.broker = broker;
        this.topicPrefix = newPrefix();
    }

    /**
     * A broker of the caller's own, started now with {@code brokerConfig} on top of the embedded
     * defaults, for a test of a broker-wide limit the shared broker must not change. Closing the
     * returned handle stops it and deletes its data.
     */
    public static Own ownBroker(java.util.Map<String, String> brokerConfig) {
        java.nio.file.Path dir;
        try {
            dir = java.nio.file.Files.createTempDirectory("gowork-test-own-kafka-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        EmbeddedKafka.Builder b = EmbeddedKafka.builder().dataDir(dir);
        brokerConfig.forEach(b::brokerConfig);
        EmbeddedKafka kafka = b.start();
        SharedBroker broker = new SharedBroker(new KafkaClients(kafka.bootstrapServers(), java.util.Map.of()),
                Optional.of(kafka), () -> {
                    kafka.close();
                    SharedBroker.deleteTree(dir);
                });
        return new Own(broker);
    }

    /** A broker of one test class's own ({@link #ownBroker}); {@link #close} stops it. */
    public static final class Own implements AutoCloseable {
        private final SharedBroker broker;

        private Own(SharedBroker broker) {
            this.broker = broker;
        }

        /** The broker as one test sees it, with a topic prefix of its own (a new one each call). */
        public TestKafka newTest() {
            return new TestKafka(broker);
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    /** The broker's address. */
    public String bootstrapServers() {
        return broker.clients().bootstrapServers();
    }

    /** This test's prefix for topic and group names, e.g. {@code t12-k3x9qa}; the same for the whole test. */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** Client factories for the broker. */
    public KafkaClients clients() {
        return broker.clients();
    }

    /**
     * The in-process broker, when that is what this JVM uses (neither {@code KAFKA_BOOTSTRAP_SERVERS}
     * nor Docker), for tests that stop or restart it. A test that stops it must start it again.
     */
    public Optional<EmbeddedKafka> embedded() {
        return broker.embedded();
    }

    /** Another fresh prefix, for a test that needs more than one namespace. */
    public String newPrefix() {
        StringBuilder prefix = new StringBuilder("t").append(COUNTER.incrementAndGet()).append('-');
        for (int i = 0; i < 6; i++) {
            prefix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return prefix.toString();
    }

    @Override
    public String toString() {
        return "TestKafka[" + bootstrapServers() + ", prefix " + topicPrefix + "]";
    }
}
