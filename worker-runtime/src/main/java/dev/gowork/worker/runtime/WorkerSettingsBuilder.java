package dev.gowork.worker.runtime;

import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.topic.Topics;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Builds {@link WorkerSettings}, starting from every default; {@link #build()} validates. */
public final class WorkerSettingsBuilder {
  /** The coordinator URL when none is set. */
  public static final URI DEFAULT_COORDINATOR_URL = URI.create("http://127.0.0.1:8080");

  private final SharedSecret secret;
  private URI coordinatorUrl = DEFAULT_COORDINATOR_URL;
  private Path coordinatorCaFile;
  private String queue = Topics.DEFAULT_QUEUE;
  private Optional<String> handler = Optional.empty();
  private int concurrency = WorkerSettings.defaultConcurrency();
  private Optional<String> bootstrapServers = Optional.empty();
  private Optional<String> topicPrefix = Optional.empty();
  private Duration shutdownGrace = Duration.ofSeconds(30);
  private Map<String, String> kafka = Map.of();
  private String workerName = defaultName();
  private Duration lockDuration = Duration.ofSeconds(30);
  private int deliveryLimit = 5;
  private Optional<Duration> heartbeatInterval = Optional.empty();
  private Optional<String> deadLetterTopic = Optional.empty();
  private int workPartitions = 3;
  private int replicationFactor = 1;
  private Duration cancelGrace = Duration.ofSeconds(2);
  private int handshakeAttempts = 20;
  private int batchSize = 1;
  private Duration runningNotice = Duration.ofSeconds(1);

  WorkerSettingsBuilder(SharedSecret secret) {
    this.secret = Objects.requireNonNull(secret, "secret");
  }

  /**
   * The coordinator this worker registers with ({@code GOWORK_COORDINATOR_URL}; default
   * http://127.0.0.1:8080).
   */
  public WorkerSettingsBuilder coordinatorUrl(URI v) {
    coordinatorUrl = v;
    return this;
  }

  /** The queue this worker serves ({@code GOWORK_QUEUE}; default {@code default}). */
  public WorkerSettingsBuilder queue(String v) {
    queue = v;
    return this;
  }

  /** A built-in handler name or a class name; leave unset when the runtime is given a handler in code. */
  public WorkerSettingsBuilder handler(String v) {
    handler = Optional.ofNullable(v);
    return this;
  }

  /**
   * Work items run at once, each slot one share-group member ({@code GOWORK_CONCURRENCY}, 1 to
   * 200; default: the number of cores).
   */
  public WorkerSettingsBuilder concurrency(int v) {
    concurrency = v;
    return this;
  }

  /**
   * Kafka to use instead of the one the coordinator names at verification ({@code
   * GOWORK_BOOTSTRAP_SERVERS}).
   */
  public WorkerSettingsBuilder bootstrapServers(String v) {
    bootstrapServers = Optional.ofNullable(v);
    return this;
  }

  /**
   * The topic prefix to use instead of the one the coordinator names ({@code
   * GOWORK_TOPIC_PREFIX}).
   */
  public WorkerSettingsBuilder topicPrefix(String v) {
    topicPrefix = Optional.ofNullable(v);
    return this;
  }

  /**
   * On close, how long running work may finish before it is cancelled and released ({@code
   * GOWORK_SHUTDOWN_GRACE_SECONDS}; default 30 s).
   */
  public WorkerSettingsBuilder shutdownGrace(Duration v) {
    shutdownGrace = v;
    return this;
  }

  /**
   * Kafka client properties by their Kafka names, e.g. {@code security.protocol}; they win over
   * GoWork's client defaults.
   */
  public WorkerSettingsBuilder kafka(Map<String, String> v) {
    kafka = v;
    return this;
  }

  /**
   * A name for this replica, told to the coordinator ({@code GOWORK_WORKER_NAME}; default {@code
   * <host>-<pid>}).
   */
  public WorkerSettingsBuilder workerName(String v) {
    workerName = v;
    return this;
  }

  /**
   * The share group's record lock, set on the group at start ({@code GOWORK_SHARE_LOCK_SECONDS};
   * default 30 s): use the coordinator's value, since the last one set wins.
   */
  public WorkerSettingsBuilder lockDuration(Duration v) {
    lockDuration = v;
    return this;
  }

  /**
   * Deliveries of one record before the broker gives it up, set on the group at start ({@code
   * GOWORK_SHARE_DELIVERY_LIMIT}, 2 to 10; default 5).
   */
  public WorkerSettingsBuilder deliveryLimit(int v) {
    deliveryLimit = v;
    return this;
  }

  /**
   * The share group's heartbeat interval, set on the group at start ({@code
   * GOWORK_SHARE_HEARTBEAT_MS}); null keeps the broker's.
   */
  public WorkerSettingsBuilder heartbeatInterval(Duration v) {
    heartbeatInterval = Optional.ofNullable(v);
    return this;
  }

  /**
   * The share group's dead-letter topic for records the broker gives up on ({@code
   * GOWORK_DEAD_LETTER_TOPIC}); null for none.
   */
  public WorkerSettingsBuilder deadLetterTopic(String v) {
    deadLetterTopic = Optional.ofNullable(v);
    return this;
  }

  /**
   * Partitions of the work topic when this worker creates it ({@code GOWORK_WORK_PARTITIONS};
   * default 3).
   */
  public WorkerSettingsBuilder workPartitions(int v) {
    workPartitions = v;
    return this;
  }

  /**
   * Replication factor of the work topic when this worker creates it ({@code
   * GOWORK_REPLICATION_FACTOR}; default 1).
   */
  public WorkerSettingsBuilder replicationFactor(int v) {
    replicationFactor = v;
    return this;
  }

  /**
   * After asking a handler to stop (its deadline passed, or the work was cancelled), how long before its thread is
   * interrupted ({@code GOWORK_CANCEL_GRACE_MS}; default 2 s).
   */
  public WorkerSettingsBuilder cancelGrace(Duration v) {
    cancelGrace = v;
    return this;
  }

  /**
   * Tries to reach the coordinator at start, with backoff up to 5 s, before giving up ({@code
   * GOWORK_HANDSHAKE_ATTEMPTS}; default 20).
   */
  public WorkerSettingsBuilder handshakeAttempts(int v) {
    handshakeAttempts = v;
    return this;
  }

  /**
   * PEM certificates to trust for an {@code https://} coordinator URL instead of the JVM's trust store
   * ({@code GOWORK_COORDINATOR_CA_FILE}); null for the JVM's.
   */
  public WorkerSettingsBuilder coordinatorCaFile(Path v) {
    coordinatorCaFile = v;
    return this;
  }

  /**
   * How long a handler runs before the worker tells the coordinator that the work is running ({@code
   * GOWORK_RUNNING_NOTICE_MS}; default 1 s; zero tells at once, for every item).
   */
  public WorkerSettingsBuilder runningNotice(Duration v) {
    runningNotice = v;
    return this;
  }

  /** Records each slot acquires per share fetch and runs back to back on one thread (1 by default). */
  public WorkerSettingsBuilder batchSize(int v) {
    batchSize = v;
    return this;
  }

  /**
   * @throws dev.gowork.broker.GoWorkException INVALID_ARGUMENT naming the first bad setting
   */
  public WorkerSettings build() {
    return new WorkerSettings(secret, coordinatorUrl, queue, handler, concurrency, bootstrapServers, topicPrefix,
        shutdownGrace, kafka, workerName, lockDuration, deliveryLimit, heartbeatInterval, deadLetterTopic,
        workPartitions, replicationFactor, cancelGrace, handshakeAttempts, batchSize, Optional.ofNullable(coordinatorCaFile),
        runningNotice);
  }

  static String defaultName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException | RuntimeException e) {
      host = "worker";
    }
    String name = host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    return name.length() > 100 ? name.substring(name.length() - 100) : name;
  }
}
