package dev.gowork.broker.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka cluster (KRaft broker and controller in one) running inside this
 * JVM, with its data under a local folder. It is configured for share groups on one node, so the
 * rest of GoWork can run without any Kafka installed.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(Path.of(".gowork")).port(9092).start()) {
 *     KafkaClients clients = new KafkaClients(kafka.bootstrapServers(), Map.of());
 *     ...
 * }
 * }</pre>
 *
 * <p>The first start formats the folder; later starts, by this or a new instance on the same
 * folder, reuse it, so topics and records survive {@link #stop()} and {@link #start()}. A restart
 * keeps the client port; the controller port is picked afresh each time. A folder another running
 * broker holds (in this process or another) is refused before anything is written to it. Methods are
 * thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final int port;
    private KafkaRaftServer server;
    private DataFolderLock folderLock;

    private EmbeddedKafka(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        this.overrides = Map.copyOf(builder.overrides);
        this.port = builder.port == 0 ? BrokerProperties.freePort() : builder.port;
    }

    /** Starts describing a broker; finish with {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address clients connect to, {@code 127.0.0.1:<port>}. It does not change on restart. */
    public String bootstrapServers() {
        return BrokerProperties.HOST + ":" + port;
    }

    /** The folder that holds the broker's data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Starts the broker, formatting its storage first if the data folder is new, and returns once
     * it answers clients. Does nothing if it is running.
     *
     * @throws KafkaException if it cannot start or is not ready within 60 s; what was started is stopped
     */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        long began = System.nanoTime();
        Path logDir = dataDir.resolve("kafka");
        Properties props = BrokerProperties.of(port,
            BrokerProperties.freePortOtherThan(port, BrokerProperties::freePort), logDir, overrides);
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        DataFolderLock lock = DataFolderLock.acquire(logDir, dataDir);
        KafkaRaftServer started = null;
        try {
            StorageFormat.ensureFormatted(logDir, props);
            started = new KafkaRaftServer(config, Time.SYSTEM);
            started.startup();
            Readiness.await(bootstrapServers(), READY_TIMEOUT);
        } catch (Error e) {
            shutdown(started, e);
            lock.close();
            throw e;
        } catch (Exception e) {
            shutdown(started, e);
            lock.close();
            throw e instanceof KafkaException kafkaException ? kafkaException
                    : new KafkaException("Embedded Kafka at " + bootstrapServers() + " (data in " + dataDir
                            + ") failed to start: " + rootCause(e).getMessage(), e);
        }
        server = started;
        folderLock = lock;
        LOG.info("Embedded Kafka ready at {} in {} ms, data in {}",
                bootstrapServers(), Duration.ofNanos(System.nanoTime() - began).toMillis(), dataDir);
    }

    /** Stops the broker and waits for it; its data stays. Does nothing if it is not running. */
    public synchronized void stop() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            try {
                running.shutdown();
                running.awaitShutdown();
            } finally {
                folderLock.close();
                folderLock = null;
            }
            LOG.debug("Embedded Kafka at {} stopped", bootstrapServers());
        }
    }

    /**
     * Stops and starts again, on the same port and data.
     *
     * @throws KafkaException if it cannot start again
     */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Same as {@link #stop()}; safe to call more than once. */
    @Override
    public void close() {
        stop();
    }

    private static void shutdown(KafkaRaftServer server, Throwable cause) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** Describes an {@link EmbeddedKafka}; only the data folder is required. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** The folder for the broker's data; created if missing, reused if it holds a cluster. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /**
         * The client port on 127.0.0.1; 0 (the default) picks a free one, kept across restarts.
         *
         * @throws IllegalArgumentException if not in 0..65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** A broker config applied over the built-in ones, e.g. {@code ("num.partitions", "3")}. */
        public Builder brokerConfig(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Starts the broker and returns once it answers clients.
         *
         * @throws IllegalStateException if no data folder was given
         * @throws KafkaException if it cannot start; nothing is left running
         */
        public EmbeddedKafka start() {
            if (dataDir == null) {
                throw new IllegalStateException("EmbeddedKafka needs a dataDir");
            }
            EmbeddedKafka kafka = new EmbeddedKafka(this);
            kafka.start();
            return kafka;
        }
    }
}
