package dev.gowork.worker.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A verified worker session: the id results are signed as, the session key they are signed with, its
 * lifetime, and where Kafka is. {@link #toString()} never shows the key.
 *
 * @param issuedAt when this worker received the session (its clock)
 * @param bootstrapServers the coordinator's Kafka, or {@code null} when it did not say
 * @param topicPrefix the coordinator's topic prefix, or {@code null} when it did not say
 */
public record Session(String workerId, String sessionKey, Instant issuedAt, Instant expiresAt,
    String bootstrapServers, String topicPrefix) {

  public Session {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(sessionKey, "sessionKey");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** True while {@code now} is before the expiry. */
  public boolean isValid(Instant now) {
    return now.isBefore(expiresAt);
  }

  /** The moment {@code fraction} (0..1) of the session's life has passed, e.g. 0.8 to renew early. */
  public Instant renewAt(double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be within 0..1, was " + fraction);
    }
    Duration life = Duration.between(issuedAt, expiresAt);
    if (life.isNegative()) {
      return issuedAt;
    }
    return issuedAt.plusMillis((long) (life.toMillis() * fraction));
  }

  /** The coordinator's Kafka bootstrap servers, when it said. */
  public Optional<String> kafkaBootstrapServers() {
    return Optional.ofNullable(bootstrapServers);
  }

  /** The coordinator's topic prefix, when it said. */
  public Optional<String> kafkaTopicPrefix() {
    return Optional.ofNullable(topicPrefix);
  }

  @Override
  public String toString() {
    return "Session[workerId=" + workerId + ", sessionKey=****, issuedAt=" + issuedAt + ", expiresAt=" + expiresAt
        + ", bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + "]";
  }
}
