package dev.gowork.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one broker of a test JVM. Started on first use and closed when the JVM exits (a shutdown hook).
 * Not closed with JUnit's root context: with several test JVMs (surefire's {@code forkCount}) each test
 * class gets a root context of its own, and every class would start a broker.
 */
final class SharedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedBroker.class);
    private static SharedBroker current;

    private final KafkaClients clients;
    private final Optional<EmbeddedKafka> embedded;
    private final AutoCloseable stopper;
    private boolean closed;

    SharedBroker(KafkaClients clients, Optional<EmbeddedKafka> embedded, AutoCloseable stopper) {
        this.clients = clients;
        this.embedded = embedded;
        this.stopper = stopper;
    }

    static synchronized SharedBroker get() {
        if (current == null) {
            SharedBroker broker = start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "gowork-test-kafka-stop"));
            current = broker;
        }
        return current;
    }

    KafkaClients clients() {
        return clients;
    }

    Optional<EmbeddedKafka> embedded() {
        return embedded;
    }

    @Override
    public void close() {
        synchronized (SharedBroker.class) {
            if (closed) {
                return;
            }
            closed = true;
            if (current == this) {
                current = null;
            }
        }
        try {
            stopper.close();
        } catch (Exception e) {
            LOG.warn("Stopping the test Kafka at {} failed", clients.bootstrapServers(), e);
        }
    }

    private static SharedBroker start() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            LOG.info("Tests use the Kafka at {} (KAFKA_BOOTSTRAP_SERVERS)", external);
            KafkaClients clients = new KafkaClients(external, KafkaClients.passThroughFromEnv(System.getenv()));
            return new SharedBroker(clients, Optional.empty(), () -> { });
        }
        if (!"embedded".equalsIgnoreCase(System.getenv("GOWORK_TEST_BROKER"))) {
            Optional<SharedBroker> container = ContainerBroker.tryStart();
            if (container.isPresent()) {
                return container.get();
            }
        }
        return startEmbedded();
    }

    private static SharedBroker startEmbedded() {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("gowork-test-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a folder for the test Kafka", e);
        }
        // The broker looks for transactions past their timeout every 0.5 s instead of every 10 s, so a
        // test of a transaction the broker aborts takes about a second (a static setting).
        EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dataDir)
                .brokerConfig("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500").start();
        KafkaClients clients = new KafkaClients(kafka.bootstrapServers(), Map.of());
        return new SharedBroker(clients, Optional.of(kafka), () -> {
            kafka.close();
            deleteTree(dataDir);
        });
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
