package dev.gowork.coordinator.auth;

import java.time.Duration;

/**
 * A token bucket on caller-supplied monotonic time ({@link System#nanoTime} or a test's): {@code capacity}
 * tokens, refilled at one per {@code refill}. A refill is a duration, so a step of the wall clock (NTP, a
 * resumed VM) neither holds it back nor mints tokens. Thread-safe.
 */
final class TokenBucket {
  private final int capacity;
  private final long refillNanos;
  private double tokens;
  private long lastNanos;

  TokenBucket(int capacity, Duration refill, long nowNanos) {
    if (capacity < 1 || refill.toNanos() < 1) {
      throw new IllegalArgumentException("capacity and refill must be positive");
    }
    this.capacity = capacity;
    this.refillNanos = refill.toNanos();
    this.tokens = capacity;
    this.lastNanos = nowNanos;
  }

  /** True when at least one token is there (takes none). */
  synchronized boolean hasToken(long nowNanos) {
    refill(nowNanos);
    return tokens >= 1;
  }

  /** Takes a token; false (and nothing taken) when empty. */
  synchronized boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  private void refill(long nowNanos) {
    long passed = nowNanos - lastNanos; // overflow-safe, as nanoTime must be compared
    if (passed > 0) {
      tokens = Math.min(capacity, tokens + (double) passed / refillNanos);
      lastNanos = nowNanos;
    }
  }
}
