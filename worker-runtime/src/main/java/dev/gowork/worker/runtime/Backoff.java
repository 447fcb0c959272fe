package dev.gowork.worker.runtime;

import java.time.Duration;

/** Exponential backoff: {@code initial}, doubling, capped at {@code max}. */
record Backoff(Duration initial, Duration max) {
  static Backoff defaults() {
    return new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
  }

  /** The wait after failure number {@code failures} (1 for the first). */
  Duration delay(int failures) {
    long ms = initial.toMillis();
    for (int i = 1; i < failures && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
