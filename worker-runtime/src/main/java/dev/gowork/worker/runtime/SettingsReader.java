package dev.gowork.worker.runtime;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SharedSecret;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** Turns environment variables into {@link WorkerSettings}, with errors that name the variable. */
final class SettingsReader {
  private SettingsReader() {}

  static WorkerSettings read(Map<String, String> env) {
    WorkerSettingsBuilder b = WorkerSettings.builder(secret(env));
    text(env, WorkerSetting.COORDINATOR_URL, v -> b.coordinatorUrl(uri(v)));
    text(env, WorkerSetting.COORDINATOR_CA_FILE, v -> b.coordinatorCaFile(path(WorkerSetting.COORDINATOR_CA_FILE, v)));
    text(env, WorkerSetting.QUEUE, b::queue);
    text(env, WorkerSetting.HANDLER, b::handler);
    number(env, WorkerSetting.CONCURRENCY, v -> b.concurrency(v.intValue()));
    text(env, WorkerSetting.BOOTSTRAP_SERVERS, b::bootstrapServers);
    text(env, WorkerSetting.TOPIC_PREFIX, b::topicPrefix);
    number(env, WorkerSetting.SHUTDOWN_GRACE_SECONDS, v -> b.shutdownGrace(Duration.ofSeconds(v)));
    text(env, WorkerSetting.WORKER_NAME, b::workerName);
    number(env, WorkerSetting.SHARE_LOCK_SECONDS, v -> b.lockDuration(Duration.ofSeconds(v)));
    number(env, WorkerSetting.SHARE_DELIVERY_LIMIT, v -> b.deliveryLimit(v.intValue()));
    number(env, WorkerSetting.SHARE_HEARTBEAT_MS, v -> b.heartbeatInterval(Duration.ofMillis(v)));
    text(env, WorkerSetting.DEAD_LETTER_TOPIC, b::deadLetterTopic);
    number(env, WorkerSetting.WORK_PARTITIONS, v -> b.workPartitions(v.intValue()));
    number(env, WorkerSetting.REPLICATION_FACTOR, v -> b.replicationFactor(v.intValue()));
    number(env, WorkerSetting.CANCEL_GRACE_MS, v -> b.cancelGrace(Duration.ofMillis(v)));
    number(env, WorkerSetting.RUNNING_NOTICE_MS, v -> b.runningNotice(Duration.ofMillis(v)));
    number(env, WorkerSetting.BATCH_SIZE, v -> b.batchSize(v.intValue()));
    number(env, WorkerSetting.HANDSHAKE_ATTEMPTS, v -> b.handshakeAttempts(v.intValue()));
    b.kafka(kafkaProperties(env));
    return b.build();
  }

  private static void text(Map<String, String> env, WorkerSetting s, Consumer<String> set) {
    String v = env.get(s.env());
    if (v != null && !v.isBlank()) {
      set.accept(v.strip());
    }
  }

  private static void number(Map<String, String> env, WorkerSetting s, Consumer<Long> set) {
    String v = env.get(s.env());
    if (v == null || v.isBlank()) {
      return;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw WorkerSettings.invalid(s, v, "a whole number");
    }
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw WorkerSettings.invalid(s, v, "a whole number within range");
    }
    set.accept(n);
  }

  /** The properties file, then {@code GOWORK_KAFKA_*} over it. */
  private static Map<String, String> kafkaProperties(Map<String, String> env) {
    try {
      return KafkaClients.fromFileAndEnv(env);
    } catch (UncheckedIOException | InvalidPathException e) {
      throw WorkerSettings.invalid(WorkerSetting.KAFKA_PROPERTIES_FILE,
          env.get(WorkerSetting.KAFKA_PROPERTIES_FILE.env()), "a readable Java properties file");
    }
  }

  private static Path path(WorkerSetting s, String v) {
    try {
      return Path.of(v);
    } catch (InvalidPathException e) {
      throw WorkerSettings.invalid(s, v, "a file path");
    }
  }

  private static URI uri(String v) {
    try {
      return new URI(v);
    } catch (java.net.URISyntaxException e) {
      throw WorkerSettings.invalid(WorkerSetting.COORDINATOR_URL, v, "an http:// or https:// URL with a host");
    }
  }

  private static SharedSecret secret(Map<String, String> env) {
    try {
      return SharedSecret.fromEnv(env);
    } catch (GoWorkException e) {
      if (e.getMessage().contains(WorkerSetting.SECRET.env())) {
        throw e;
      }
      throw new GoWorkException(e.code(), WorkerSetting.SECRET.env() + " (or the file named by "
          + WorkerSetting.SECRET_FILE.env() + "): " + e.getMessage());
    }
  }
}
