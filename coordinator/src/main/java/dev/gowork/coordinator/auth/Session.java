package dev.gowork.coordinator.auth;

import java.time.Instant;

/**
 * A verified worker's session: the key it signs results with and sends as a bearer token.
 * {@link #toString()} masks the key.
 */
public record Session(String workerId, String sessionKey, Instant expiresAt) {
  @Override
  public String toString() {
    return "Session[workerId=" + workerId + ", sessionKey=****, expiresAt=" + expiresAt + "]";
  }
}
