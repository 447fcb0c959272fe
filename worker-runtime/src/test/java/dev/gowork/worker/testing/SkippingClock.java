package dev.gowork.worker.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock, plus whatever time it was told to skip: time flows as usual, and a test makes a
 * deadline pass at the moment it chooses instead of sleeping until it does. {@link #nanoTime()} is its
 * monotonic side (for a replica's lock schedule): {@link #skip} steps the wall clock alone, as NTP
 * does, while {@link #advance} lets time pass on both. Thread-safe.
 */
public final class SkippingClock extends Clock {
  private volatile Duration skipped = Duration.ZERO;
  private volatile long advancedNanos;

  /** Steps this clock {@code d} from where it was (back when negative); {@link #nanoTime()} does not move. */
  public synchronized void skip(Duration d) {
    skipped = skipped.plus(d);
  }

  /** Lets {@code d} pass at once: on this clock and on {@link #nanoTime()}. */
  public synchronized void advance(Duration d) {
    skipped = skipped.plus(d);
    advancedNanos += d.toNanos();
  }

  /** {@link System#nanoTime()}, plus what {@link #advance} let pass. */
  public long nanoTime() {
    return System.nanoTime() + advancedNanos;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(skipped);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
