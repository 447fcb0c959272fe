package dev.gowork.coordinator.testing;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;

/** Polls a condition until it holds or a deadline passes (no fixed sleeps). */
public final class Poll {
  private Poll() {}

  /** Returns the first non-null, non-false value of {@code check}; fails the test after {@code timeout}. */
  public static <T> T until(Supplier<T> check, Duration timeout, String what) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = check.get();
      if (v != null && !Boolean.FALSE.equals(v)) {
        return v;
      }
      if (System.nanoTime() > end) {
        return Assertions.fail("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Assertions.fail("interrupted waiting for " + what);
      }
    }
  }
}
