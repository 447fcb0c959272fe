package dev.gowork.coordinator.auth;

import java.time.Instant;

/** One worker's handshake and session. Guarded by its own monitor. Never printed: it holds keys. */
final class WorkerEntry {
  final String workerId;
  final long registeredAt;
  final TokenBucket failures;
  /**
   * The name the worker gave at registration ({@link WorkerNames#check}ed), or null; informative only.
   * Final, so it may be read without the monitor ({@link WorkerRegistry#verifiedName}).
   */
  final String name;
  long lastSeen;
  String challenge;
  long challengeExpiresAt;
  String nonce;
  long sessionExpiresAt = -1;
  String sessionKey;
  WorkerState state = WorkerState.PENDING;
  /** Whether the session ended (expired or revoked), and when, on the monotonic nanoTime (forgotten an hour later). */
  boolean ended;
  long endedAtNanos;

  WorkerEntry(String workerId, String name, String challenge, long now, long challengeTtl, TokenBucket failures) {
    this.workerId = workerId;
    this.name = name;
    this.challenge = challenge;
    this.registeredAt = now;
    this.lastSeen = now;
    this.challengeExpiresAt = now + challengeTtl;
    this.failures = failures;
  }

  boolean challengeOpen(long now) {
    return challenge != null && now < challengeExpiresAt;
  }

  boolean sessionOpen(long now) {
    return state == WorkerState.ACTIVE && now < sessionExpiresAt;
  }

  /**
   * Ends the session at {@code nowNanos} (monotonic); true only for the first ending, which fires
   * {@code worker_expired}.
   */
  boolean end(WorkerState how, long nowNanos) {
    if (state == WorkerState.EXPIRED || state == WorkerState.REVOKED) {
      return false;
    }
    boolean hadSession = state == WorkerState.ACTIVE;
    state = how;
    sessionKey = null;
    challenge = null;
    ended = true;
    endedAtNanos = nowNanos;
    return hadSession || how == WorkerState.REVOKED;
  }

  WorkerSummary summary() {
    return new WorkerSummary(workerId, Instant.ofEpochMilli(registeredAt), Instant.ofEpochMilli(lastSeen),
        sessionExpiresAt < 0 ? null : Instant.ofEpochMilli(sessionExpiresAt), state, name);
  }

  @Override
  public String toString() {
    return "WorkerEntry[" + workerId + ", " + state + "]";
  }
}
