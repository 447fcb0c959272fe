package dev.gowork.broker.kafka;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates Kafka clients with GoWork's defaults: string keys, byte-array values, durable
 * producers, read-committed consumers and explicitly acknowledging share consumers.
 *
 * <p>Settings are layered: GoWork's defaults, then the per-call {@code overrides}, then the
 * operator's {@code passThrough} (TLS, SASL or any other client property), so the operator has
 * the last word. Only the identity of a client stays fixed: {@code bootstrap.servers},
 * serializers, {@code group.id} and {@code transactional.id}.
 *
 * <pre>{@code
 * KafkaClients clients = new KafkaClients("127.0.0.1:9092", KafkaClients.passThroughFromEnv(System.getenv()));
 * try (Producer<String, byte[]> producer = clients.producer()) { ... }
 * }</pre>
 *
 * Instances are immutable and thread-safe; every call creates a new client that the caller closes.
 * A client whose properties are invalid fails at creation with Kafka's
 * {@link org.apache.kafka.common.config.ConfigException}.
 */
public final class KafkaClients {

    /** The variable that names a Java properties file of client settings (TLS, SASL, ...). */
    public static final String PROPERTIES_FILE_ENV = ClientProperties.FILE_ENV;

    /** Consumer properties that {@link KafkaShareConsumer} refuses; dropped from the pass-through. */
    private static final List<String> SHARE_UNSUPPORTED = List.of(
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
            ConsumerConfig.GROUP_PROTOCOL_CONFIG, ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);

    /**
     * Properties of a consumer group's membership: meaningless for a consumer without a group (one that
     * only uses {@code assign}), which leaves them out. With them, such a consumer (of the default
     * {@code consumer} protocol) refused {@code session.timeout.ms}, so
     * {@code GOWORK_KAFKA_SESSION_TIMEOUT_MS}, meant for the coordinators' classic groups, stopped the
     * coordinator's state readers from starting.
     */
    private static final List<String> GROUP_ONLY = List.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);

    /**
     * The prefix of the properties only a share consumer knows ({@code share.acquire.mode}, ...): a
     * consumer of any other group refuses them, so they are dropped from its pass-through.
     */
    private static final String SHARE_ONLY_PREFIX = "share.";

    private final String bootstrapServers;
    private final Map<String, String> passThrough;

    /**
     * @param bootstrapServers the brokers, e.g. {@code host1:9092,host2:9092}
     * @param passThrough Kafka client properties applied to every client, after GoWork's settings
     * @throws IllegalArgumentException if {@code bootstrapServers} is blank
     */
    public KafkaClients(String bootstrapServers, Map<String, String> passThrough) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        this.bootstrapServers = bootstrapServers.strip();
        this.passThrough = Map.copyOf(Objects.requireNonNull(passThrough, "passThrough"));
    }

    /** An idempotent producer: acks=all, linger 1 ms, 128 KiB batches, no compression. */
    public Producer<String, byte[]> producer() {
        return new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A transactional producer; the caller runs {@code initTransactions()} before the first transaction.
     *
     * @throws IllegalArgumentException if {@code transactionalId} is blank
     */
    public Producer<String, byte[]> transactionalProducer(String transactionalId) {
        requireText(transactionalId, "transactionalId");
        Map<String, Object> config = producerConfig();
        // A transaction begun while the markers of the previous one are still being written is refused
        // with CONCURRENT_TRANSACTIONS and retried after retry.backoff.ms: 100 ms by default, which
        // showed up as +60 ms on the median add-to-handler latency of back-to-back commits.
        if (!passThrough.containsKey(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)) {
            config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
        }
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A consumer of the group protocol {@code consumer}: read-committed, manual commits,
     * starting from the earliest offset when the group has none. Pass-through properties of share
     * consumers only ({@code share.*}) are left out, and without a group those of a group's membership
     * ({@code session.timeout.ms}, {@code heartbeat.interval.ms}, ...).
     *
     * @param groupId the consumer group, or null for a consumer that only uses {@code assign}
     * @param overrides client properties over GoWork's defaults
     */
    public Consumer<String, byte[]> consumer(String groupId, Map<String, Object> overrides) {
        return new KafkaConsumer<>(consumerConfig(groupId, overrides), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * The properties {@link #consumer} creates its consumer with. The group's instance id given in
     * {@code overrides} is GoWork's identity of the member (a coordinator's static membership, which its
     * transactional id matches): a pass-through {@code group.instance.id} does not replace it.
     */
    Map<String, Object> consumerConfig(String groupId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        config.putAll(overrides);
        passThrough.forEach((key, value) -> {
            if (!key.startsWith(SHARE_ONLY_PREFIX)) {
                config.put(key, value);
            }
        });
        putOrRemove(config, ConsumerConfig.GROUP_ID_CONFIG, groupId);
        if (overrides.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, overrides.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        }
        if (groupId == null) {
            GROUP_ONLY.forEach(config::remove);
        }
        return withBootstrap(config);
    }

    /**
     * A share-group consumer with explicit acknowledgement and {@code record_limit} acquisition of
     * at most 16 records per poll, so that work spreads across the group's members. Pass-through
     * properties that a share consumer refuses (such as {@code isolation.level}) are left out.
     *
     * @param groupId the share group
     * @param overrides client properties over GoWork's defaults
     * @throws IllegalArgumentException if {@code groupId} is blank
     */
    public ShareConsumer<String, byte[]> shareConsumer(String groupId, Map<String, Object> overrides) {
        requireText(groupId, "groupId");
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        config.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.putAll(overrides);
        passThrough.forEach((key, value) -> {
            if (!SHARE_UNSUPPORTED.contains(key)) {
                config.put(key, value);
            }
        });
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return new KafkaShareConsumer<>(withBootstrap(config), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** An admin client. */
    public Admin admin() {
        return Admin.create(withBootstrap(new HashMap<>(passThrough)));
    }

    /** The brokers these clients connect to. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The operator's client properties, applied to every client; unmodifiable. */
    public Map<String, String> passThrough() {
        return passThrough;
    }

    /**
     * Reads client properties from environment variables named {@code GOWORK_KAFKA_<NAME>}:
     * the prefix is stripped, the rest lower-cased and {@code _} turned into {@code .}, so
     * {@code GOWORK_KAFKA_SECURITY_PROTOCOL=SSL} becomes {@code security.protocol=SSL}.
     * {@code GOWORK_KAFKA_PROPERTIES_FILE} is left out: it names a file ({@link #fromFileAndEnv}).
     *
     * @param env the environment, usually {@code System.getenv()}
     * @return the properties found, unmodifiable
     */
    public static Map<String, String> passThroughFromEnv(Map<String, String> env) {
        return ClientProperties.fromEnv(env);
    }

    /**
     * The properties of the file named by {@code GOWORK_KAFKA_PROPERTIES_FILE} (when set), with the
     * {@code GOWORK_KAFKA_<NAME>} variables over them: how an operator gives a client TLS or SASL.
     *
     * @param env the environment, usually {@code System.getenv()}
     * @return the properties, unmodifiable
     * @throws java.io.UncheckedIOException if the file cannot be read; the message names it
     */
    public static Map<String, String> fromFileAndEnv(Map<String, String> env) {
        return fromFileAndEnv(env.get(PROPERTIES_FILE_ENV), env);
    }

    /**
     * The properties of {@code file} (none when it is null or blank), with the
     * {@code GOWORK_KAFKA_<NAME>} variables of {@code env} over them.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read; the message names it
     * @throws java.nio.file.InvalidPathException if {@code file} is not a path
     * @throws dev.gowork.broker.GoWorkException INVALID_ARGUMENT for a property Kafka defines with a value
     *     it would refuse, naming it
     */
    public static Map<String, String> fromFileAndEnv(String file, Map<String, String> env) {
        Map<String, String> properties = new TreeMap<>();
        if (file != null && !file.isBlank()) {
            properties.putAll(ClientProperties.load(Path.of(file.strip())));
        }
        properties.putAll(ClientProperties.fromEnv(env));
        ClientProperties.check(properties);
        return Collections.unmodifiableMap(properties);
    }

    /**
     * Reads client properties from a Java properties file.
     *
     * @return the properties, unmodifiable
     * @throws java.io.UncheckedIOException if the file cannot be read; the message names it
     */
    public static Map<String, String> loadProperties(Path file) {
        return ClientProperties.load(file);
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 131_072);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.putAll(passThrough);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return withBootstrap(config);
    }

    private Map<String, Object> withBootstrap(Map<String, Object> config) {
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    private static void putOrRemove(Map<String, Object> config, String key, String value) {
        if (value == null) {
            config.remove(key);
        } else {
            config.put(key, value);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
