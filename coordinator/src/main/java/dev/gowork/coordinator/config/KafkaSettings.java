package dev.gowork.coordinator.config;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.BootstrapServers;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The Kafka-side settings: topics, the embedded broker's folder, share groups and client properties. */
final class KafkaSettings {
  private KafkaSettings() {}

  static Topics topics(SettingValues v) {
    try {
      return Topics.of(v.text(Setting.TOPIC_PREFIX));
    } catch (GoWorkException e) {
      throw v.invalid(Setting.TOPIC_PREFIX, "must be 1-100 characters of A-Z a-z 0-9 _ - separated by single dots");
    }
  }

  /**
   * {@code GOWORK_BOOTSTRAP_SERVERS}, when given: checked by {@link BootstrapServers} (as the worker's is),
   * so that a typo stops the start with exit code 2 and the setting named.
   */
  static Optional<String> bootstrapServers(SettingValues v) {
    String servers = v.text(Setting.BOOTSTRAP_SERVERS);
    if (servers == null) {
      return Optional.empty();
    }
    if (!BootstrapServers.isWellFormed(servers)) {
      throw v.invalid(Setting.BOOTSTRAP_SERVERS, "must be " + BootstrapServers.FORMAT);
    }
    return Optional.of(servers);
  }

  static Path dataDir(SettingValues v) {
    String dir = v.text(Setting.DATA_DIR);
    try {
      if (dir.isEmpty()) {
        throw v.invalid(Setting.DATA_DIR, "must name a folder");
      }
      return Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw v.invalid(Setting.DATA_DIR, "is not a valid path");
    }
  }

  static ShareGroupSettings shareGroup(SettingValues v) {
    Duration lock = Duration.ofSeconds(v.number(Setting.SHARE_LOCK_SECONDS, 1, 3600));
    int deliveries = v.integer(Setting.SHARE_DELIVERY_LIMIT, 2, 10);
    Optional<Duration> heartbeat = v.text(Setting.SHARE_HEARTBEAT_MS) == null ? Optional.empty()
        : Optional.of(Duration.ofMillis(v.number(Setting.SHARE_HEARTBEAT_MS, 100, 60_000)));
    return new ShareGroupSettings(lock, deliveries, "earliest", heartbeat, Optional.empty());
  }

  /** The properties file, then {@code GOWORK_KAFKA_*} over it. */
  static Map<String, String> clientProperties(SettingValues v, Map<String, String> env) {
    Map<String, String> props;
    try {
      props = KafkaClients.fromFileAndEnv(v.text(Setting.KAFKA_PROPERTIES_FILE), env);
    } catch (UncheckedIOException | InvalidPathException e) {
      throw v.invalid(Setting.KAFKA_PROPERTIES_FILE, "names a file that cannot be read");
    }
    if (props.containsKey("bootstrap.servers")) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          "bootstrap.servers is not a pass-through Kafka property: set GOWORK_BOOTSTRAP_SERVERS (--bootstrap-servers)");
    }
    return props;
  }
}
