package dev.gowork.worker.runtime;

import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.topic.Topics;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
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

  WorkerSettingsBuilder(SharedSecret secret) {
    this.secret = Objects.requireNonNull(secret, "secret");
  }

  public WorkerSettingsBuilder coordinatorUrl(URI v) {
    coordinatorUrl = v;
    return this;
  }

  public WorkerSettingsBuilder queue(String v) {
    queue = v;
    return this;
  }

  /** A built-in handler name or a class name; leave unset when the runtime is given a handler in code. */
  public WorkerSettingsBuilder handler(String v) {
    handler = Optional.ofNullable(v);
    return this;
  }

  public WorkerSettingsBuilder concurrency(int v) {
    concurrency = v;
    return this;
  }

  public WorkerSettingsBuilder bootstrapServers(String v) {
    bootstrapServers = Optional.ofNullable(v);
    return this;
  }

  public WorkerSettingsBuilder topicPrefix(String v) {
    topicPrefix = Optional.ofNullable(v);
    return this;
  }

  public WorkerSettingsBuilder shutdownGrace(Duration v) {
    shutdownGrace = v;
    return this;
  }

  public WorkerSettingsBuilder kafka(Map<String, String> v) {
    kafka = v;
    return this;
  }

  public WorkerSettingsBuilder workerName(String v) {
    workerName = v;
    return this;
  }

  public WorkerSettingsBuilder lockDuration(Duration v) {
    lockDuration = v;
    return this;
  }

  public WorkerSettingsBuilder deliveryLimit(int v) {
    deliveryLimit = v;
    return this;
  }

  public WorkerSettingsBuilder heartbeatInterval(Duration v) {
    heartbeatInterval = Optional.ofNullable(v);
    return this;
  }

  public WorkerSettingsBuilder deadLetterTopic(String v) {
    deadLetterTopic = Optional.ofNullable(v);
    return this;
  }

  public WorkerSettingsBuilder workPartitions(int v) {
    workPartitions = v;
    return this;
  }

  public WorkerSettingsBuilder replicationFactor(int v) {
    replicationFactor = v;
    return this;
  }

  public WorkerSettingsBuilder cancelGrace(Duration v) {
    cancelGrace = v;
    return this;
  }

  public WorkerSettingsBuilder handshakeAttempts(int v) {
    handshakeAttempts = v;
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
        workPartitions, replicationFactor, cancelGrace, handshakeAttempts, batchSize);
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
