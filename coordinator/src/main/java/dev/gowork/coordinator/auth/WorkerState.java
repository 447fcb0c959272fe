package dev.gowork.coordinator.auth;

import java.util.Locale;

/** Where a worker is in the handshake. */
public enum WorkerState {
  /** Registered, challenge not yet answered. */
  PENDING,
  /** Verified; its session is open. */
  ACTIVE,
  /** Its session ran out. */
  EXPIRED,
  /** Its session was ended by {@link Workers#revoke}. */
  REVOKED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
