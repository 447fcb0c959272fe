package dev.gowork.broker.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.gowork.broker.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka in Docker through Testcontainers, when both are there. Every failure, from a missing
 * Testcontainers jar to a Docker engine that does not answer, yields empty so the caller falls
 * back to the embedded broker. Testcontainers classes are only touched from {@link Docker}, which
 * is loaded only once its jar is known to be on the class path.
 */
final class ContainerBroker {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerBroker.class);
    private static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";
    private static final long PROBE_TIMEOUT_SECONDS = 10;

    private ContainerBroker() {
    }

    static Optional<SharedBroker> tryStart() {
        if (!testcontainersPresent() || !dockerMayBeThere()) {
            return Optional.empty();
        }
        try {
            boolean available = CompletableFuture.supplyAsync(Docker::available)
                    .get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!available) {
                return Optional.empty();
            }
            String image = Optional.ofNullable(System.getenv("GOWORK_TEST_KAFKA_IMAGE")).orElse(DEFAULT_IMAGE);
            return Optional.of(Docker.start(image));
        } catch (Exception | LinkageError e) {
            LOG.warn("No Kafka container ({}); using the embedded broker", e.toString());
            return Optional.empty();
        }
    }

    private static boolean testcontainersPresent() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, ContainerBroker.class.getClassLoader());
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, ContainerBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A cheap look for the usual engine sockets, so a machine without Docker is not probed at length. */
    private static boolean dockerMayBeThere() {
        if (System.getenv("DOCKER_HOST") != null || System.getProperty("os.name", "").startsWith("Windows")) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock"),
                Path.of(home, ".docker", "run", "docker.sock"), Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock"), Path.of(home, ".rd", "docker.sock"),
                Path.of(home, ".testcontainers.properties")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
            candidates.add(Path.of(runtimeDir, "podman", "podman.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    /** The only code that names Testcontainers classes. */
    private static final class Docker {

        static boolean available() {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }

        static SharedBroker start(String image) {
            org.testcontainers.kafka.KafkaContainer container = new org.testcontainers.kafka.KafkaContainer(image)
                    .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
                    .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_NUM_PARTITIONS", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                    .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "4")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS", "500")
                    .withEnv("KAFKA_GROUP_SHARE_HEARTBEAT_INTERVAL_MS", "1000")
                    .withEnv("KAFKA_GROUP_SHARE_MIN_RECORD_LOCK_DURATION_MS", "1000")
                    .withEnv("KAFKA_GROUP_SHARE_ASSIGNMENT_INTERVAL_MS", "0")
                    .withEnv("KAFKA_GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS", "0")
                    .withEnv("KAFKA_ERRORS_DEADLETTERQUEUE_AUTO_CREATE_TOPICS_ENABLE", "true")
                    .withEnv("KAFKA_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS", "500");
            try {
                container.start();
            } catch (RuntimeException e) {
                container.close();
                throw e;
            }
            LOG.info("Tests use Kafka {} in Docker at {}", image, container.getBootstrapServers());
            KafkaClients clients = new KafkaClients(container.getBootstrapServers(), Map.of());
            return new SharedBroker(clients, Optional.empty(), container::stop);
        }
    }
}
