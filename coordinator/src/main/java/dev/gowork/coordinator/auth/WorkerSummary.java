package dev.gowork.coordinator.auth;

import java.time.Instant;

/**
 * What the coordinator knows about one worker (no secrets).
 *
 * @param lastSeen the last verify, get or accepted result
 * @param sessionExpiresAt {@code null} before verification
 * @param name the name the worker gave when it registered (a replica's {@code GOWORK_WORKER_NAME}), or
 *     {@code null}: informative only, never used to authenticate
 */
public record WorkerSummary(String workerId, Instant registeredAt, Instant lastSeen, Instant sessionExpiresAt,
    WorkerState state, String name) {

  /** A summary of a worker that gave no name. */
  public WorkerSummary(String workerId, Instant registeredAt, Instant lastSeen, Instant sessionExpiresAt,
      WorkerState state) {
    this(workerId, registeredAt, lastSeen, sessionExpiresAt, state, null);
  }
}
