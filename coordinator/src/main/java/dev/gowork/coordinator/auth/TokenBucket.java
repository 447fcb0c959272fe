package dev.gowork.coordinator.auth;

/**
 * A token bucket on caller-supplied time: {@code capacity} tokens, refilled at one per
 * {@code refillMillis}. Thread-safe.
 */
final class TokenBucket {
  private final int capacity;
  private final long refillMillis;
  private double tokens;
  private long last;

  TokenBucket(int capacity, long refillMillis, long now) {
    if (capacity < 1 || refillMillis < 1) {
      throw new IllegalArgumentException("capacity and refillMillis must be positive");
    }
    this.capacity = capacity;
    this.refillMillis = refillMillis;
    this.tokens = capacity;
    this.last = now;
  }

  /** True when at least one token is there (takes none). */
  synchronized boolean hasToken(long now) {
    refill(now);
    return tokens >= 1;
  }

  /** Takes a token; false (and nothing taken) when empty. */
  synchronized boolean tryTake(long now) {
    refill(now);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  private void refill(long now) {
    if (now > last) {
      tokens = Math.min(capacity, tokens + (double) (now - last) / refillMillis);
      last = now;
    }
  }
}
