package dev.gowork.coordinator.retry;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.time.Duration;

/**
 * Exponential backoff with jitter: after failed attempt {@code n} the wait is
 * {@code min(cap, base * 2^(n-1))}, of which the upper half is random ("equal jitter"), so retries
 * of many items that failed together spread out while none retries sooner than half the nominal wait.
 *
 * @param base the nominal wait after the first failure (default 1 s)
 * @param cap the longest wait (default 60 s)
 */
public record Backoff(Duration base, Duration cap) {

  public Backoff {
    if (base == null || cap == null || base.isNegative() || cap.isNegative() || cap.compareTo(base) < 0) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          "retry backoff must have 0 <= base <= cap; was base=" + base + ", cap=" + cap);
    }
  }

  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
  }

  /**
   * @param failedAttempt the attempt that just failed, from 1
   * @param random a uniform value in [0, 1)
   * @return the wait in milliseconds
   */
  public long delayMillis(int failedAttempt, double random) {
    long b = base.toMillis();
    long c = cap.toMillis();
    int shift = Math.max(0, failedAttempt - 1);
    long nominal = shift >= 62 || b > (c >> shift) ? c : b << shift;
    long half = nominal / 2;
    return nominal - half + (long) (half * Math.min(Math.max(random, 0.0), 1.0));
  }
}
