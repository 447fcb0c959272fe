package dev.gowork.broker.embedded;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;

/** Waits until a broker answers {@code describeCluster} with at least one live node. */
final class Readiness {

    private static final long POLL_PAUSE_MS = 50;

    private Readiness() {
    }

    /**
     * @throws KafkaException if no node is listed within {@code timeout}
     */
    static void await(String bootstrapServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "gowork-embedded-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 20,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 20);
        Exception last = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                            .nodes().get();
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e;
                }
                Thread.sleep(POLL_PAUSE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while waiting for Kafka at " + bootstrapServers, e);
        }
        KafkaException failure = new KafkaException("Kafka at " + bootstrapServers + " did not list any node within "
                + timeout.toMillis() + " ms");
        if (last != null) {
            failure.addSuppressed(last.getCause() != null ? last.getCause() : last);
        }
        throw failure;
    }
}
