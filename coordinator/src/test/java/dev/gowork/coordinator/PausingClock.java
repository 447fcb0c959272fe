package dev.gowork.coordinator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A server's clock for tests that hold one call at a chosen point: the first reading for which
 * {@code when} is true (asked on the reading's thread) waits, on that thread, until the test counts
 * {@link #resume} down, so that the test can close the server while the call is under way.
 */
final class PausingClock extends Clock {
  /** Counted down when a reading is held. */
  final CountDownLatch held = new CountDownLatch(1);
  /** Counted down by the test to let the held reading go on. */
  final CountDownLatch resume = new CountDownLatch(1);
  private final AtomicBoolean paused = new AtomicBoolean();
  private final Clock base;
  private final BooleanSupplier when;
  private final Duration longest;

  /** Holds a reading at most {@code longest}, so a failed test does not hold its thread for good. */
  PausingClock(Clock base, BooleanSupplier when, Duration longest) {
    this.base = base;
    this.when = when;
    this.longest = longest;
  }

  /** True when the clock is read by code of {@code reader} itself (the first frame outside this class). */
  static BooleanSupplier readBy(Class<?> reader) {
    return () -> StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
        .map(StackWalker.StackFrame::getDeclaringClass)
        .filter(c -> !c.getName().startsWith(PausingClock.class.getName()))
        .findFirst().orElseThrow()) == reader;
  }

  @Override
  public long millis() {
    pauseIfWanted();
    return base.millis();
  }

  @Override
  public Instant instant() {
    pauseIfWanted();
    return base.instant();
  }

  private void pauseIfWanted() {
    if (!paused.get() && when.getAsBoolean() && paused.compareAndSet(false, true)) {
      held.countDown();
      try {
        resume.await(longest.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
