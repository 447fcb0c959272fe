package dev.gowork.worker.runtime;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.BootstrapServers;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WorkerNameRule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one worker replica; see {@link WorkerSetting} for names and defaults.
 * Every check names the setting and the bad value. {@link #toString()} masks the secret.
 *
 * <pre>{@code
 * WorkerSettings s = WorkerSettings.fromEnv(System.getenv());          // as the Main does
 * WorkerSettings t = WorkerSettings.builder(SharedSecret.of(secret))  // in code
 *     .coordinatorUrl(URI.create("http://coordinator:8080")).queue("emails").concurrency(4).build();
 * }</pre>
 *
 * @param handler a handler name or class ({@code GOWORK_HANDLER}); empty when code supplies the handler
 * @param bootstrapServers overrides the coordinator's Kafka when present
 * @param topicPrefix overrides the coordinator's topic prefix when present
 * @param kafka Kafka client properties passed through to every client
 * @param batchSize records each slot acquires per share fetch and runs back to back
 * @param coordinatorCaFile PEM certificates trusted for an {@code https://} coordinator instead of the JVM's
 * @param runningNotice how long a handler runs before the worker tells the coordinator the work is running
 */
public record WorkerSettings(SharedSecret secret, URI coordinatorUrl, String queue, Optional<String> handler,
    int concurrency, Optional<String> bootstrapServers, Optional<String> topicPrefix, Duration shutdownGrace,
    Map<String, String> kafka, String workerName, Duration lockDuration, int deliveryLimit,
    Optional<Duration> heartbeatInterval, Optional<String> deadLetterTopic, int workPartitions,
    int replicationFactor, Duration cancelGrace, int handshakeAttempts, int batchSize,
    Optional<Path> coordinatorCaFile, Duration runningNotice) {

  /** Most work items one replica runs at once (each is a share-group member; a group holds 200). */
  public static final int MAX_CONCURRENCY = 200;
  /** Most records one slot acquires per share fetch. */
  public static final int MAX_BATCH_SIZE = 1000;

  public WorkerSettings {
    Objects.requireNonNull(secret, WorkerSetting.SECRET.env());
    check(coordinatorUrl != null && coordinatorUrl.isAbsolute() && coordinatorUrl.getHost() != null
        && ("http".equals(coordinatorUrl.getScheme()) || "https".equals(coordinatorUrl.getScheme())),
        WorkerSetting.COORDINATOR_URL, coordinatorUrl, "an http:// or https:// URL with a host");
    try {
      Topics.validateQueue(queue);
    } catch (GoWorkException e) {
      throw invalid(WorkerSetting.QUEUE, queue, "1-" + Topics.MAX_QUEUE_LENGTH + " characters of A-Z a-z 0-9 _ -");
    }
    coordinatorCaFile = coordinatorCaFile == null ? Optional.empty() : coordinatorCaFile;
    handler = handler == null ? Optional.empty() : handler.filter(h -> !h.isBlank()).map(String::strip);
    check(concurrency >= 1 && concurrency <= MAX_CONCURRENCY, WorkerSetting.CONCURRENCY, concurrency,
        "1.." + MAX_CONCURRENCY);
    bootstrapServers = bootstrapServers == null ? Optional.empty() : bootstrapServers.map(String::strip);
    bootstrapServers.ifPresent(b -> check(b.length() <= 10_000 && BootstrapServers.isWellFormed(b),
        WorkerSetting.BOOTSTRAP_SERVERS, b, BootstrapServers.FORMAT));
    topicPrefix = topicPrefix == null ? Optional.empty() : topicPrefix;
    topicPrefix.ifPresent(p -> {
      try {
        Topics.of(p);
      } catch (GoWorkException e) {
        throw invalid(WorkerSetting.TOPIC_PREFIX, p, "1-100 characters of A-Z a-z 0-9 _ - separated by single dots");
      }
    });
    checkDuration(shutdownGrace, WorkerSetting.SHUTDOWN_GRACE_SECONDS, Duration.ZERO, Duration.ofHours(1));
    kafka = Map.copyOf(Objects.requireNonNull(kafka, WorkerSetting.KAFKA.env()));
    check(WorkerNameRule.isValid(workerName), WorkerSetting.WORKER_NAME, workerName,
        "1-" + WorkerNameRule.MAX_CHARS + " printable characters, without control or format characters");
    checkDuration(lockDuration, WorkerSetting.SHARE_LOCK_SECONDS, Duration.ofSeconds(1), Duration.ofHours(1));
    check(deliveryLimit >= 2 && deliveryLimit <= 10, WorkerSetting.SHARE_DELIVERY_LIMIT, deliveryLimit, "2..10");
    heartbeatInterval = heartbeatInterval == null ? Optional.empty() : heartbeatInterval;
    heartbeatInterval.ifPresent(h -> checkDuration(h, WorkerSetting.SHARE_HEARTBEAT_MS, Duration.ofMillis(100),
        Duration.ofMinutes(1)));
    deadLetterTopic = deadLetterTopic == null ? Optional.empty() : deadLetterTopic.filter(t -> !t.isBlank());
    deadLetterTopic.ifPresent(t -> check(t.length() <= 249 && t.matches("[A-Za-z0-9._-]+"),
        WorkerSetting.DEAD_LETTER_TOPIC, t, "a Kafka topic name"));
    check(workPartitions >= 1 && workPartitions <= 10_000, WorkerSetting.WORK_PARTITIONS, workPartitions, "1..10000");
    check(replicationFactor >= 1 && replicationFactor <= Short.MAX_VALUE, WorkerSetting.REPLICATION_FACTOR,
        replicationFactor, "1.." + Short.MAX_VALUE);
    checkDuration(cancelGrace, WorkerSetting.CANCEL_GRACE_MS, Duration.ZERO, Duration.ofMinutes(10));
    checkDuration(runningNotice, WorkerSetting.RUNNING_NOTICE_MS, Duration.ZERO, Duration.ofHours(1));
    check(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, WorkerSetting.BATCH_SIZE, batchSize, "1.." + MAX_BATCH_SIZE);
    check(handshakeAttempts >= 1 && handshakeAttempts <= 1000, WorkerSetting.HANDSHAKE_ATTEMPTS, handshakeAttempts,
        "1..1000");
  }

  /** A builder with every default; only the secret is required. */
  public static WorkerSettingsBuilder builder(SharedSecret secret) {
    return new WorkerSettingsBuilder(secret);
  }

  /**
   * Reads every {@link WorkerSetting} from environment variables (the Main layers its flags over them).
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the setting and the bad value
   */
  public static WorkerSettings fromEnv(Map<String, String> env) {
    return SettingsReader.read(env);
  }

  /** The number of cores, the default concurrency. */
  public static int defaultConcurrency() {
    return Math.min(MAX_CONCURRENCY, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public String toString() {
    return "WorkerSettings[coordinatorUrl=" + coordinatorUrl + ", queue=" + queue + ", handler=" + handler
        + ", concurrency=" + concurrency + ", bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix
        + ", shutdownGrace=" + shutdownGrace + ", kafka=" + kafka.keySet() + ", workerName=" + workerName
        + ", lockDuration=" + lockDuration + ", deliveryLimit=" + deliveryLimit + ", heartbeatInterval="
        + heartbeatInterval + ", deadLetterTopic=" + deadLetterTopic + ", workPartitions=" + workPartitions
        + ", replicationFactor=" + replicationFactor + ", cancelGrace=" + cancelGrace + ", handshakeAttempts="
        + handshakeAttempts + ", batchSize=" + batchSize + ", runningNotice=" + runningNotice
        + coordinatorCaFile.map(f -> ", coordinatorCaFile=" + f).orElse("") + ", secret=****]";
  }

  private static void checkDuration(Duration d, WorkerSetting s, Duration min, Duration max) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      boolean seconds = s.env().endsWith("_SECONDS");
      String unit = seconds ? " s" : " ms";
      Object shown = d == null ? null : seconds ? d.toSeconds() : d.toMillis();
      throw invalid(s, shown, "from " + (seconds ? min.toSeconds() : min.toMillis()) + " to "
          + (seconds ? max.toSeconds() : max.toMillis()) + unit);
    }
  }

  private static void check(boolean ok, WorkerSetting s, Object value, String expected) {
    if (!ok) {
      throw invalid(s, value, expected);
    }
  }

  static GoWorkException invalid(WorkerSetting s, Object value, String expected) {
    return s.invalid(value, expected);
  }
}
