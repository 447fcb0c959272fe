package dev.gowork.coordinator.auth;

import java.time.Instant;

/**
 * What the coordinator knows about one worker (no secrets).
 *
 * @param lastSeen the last verify, get or accepted result
 * @param sessionExpiresAt {@code null} before verification
 */
public record WorkerSummary(String workerId, Instant registeredAt, Instant lastSeen, Instant sessionExpiresAt,
    WorkerState state) {}
