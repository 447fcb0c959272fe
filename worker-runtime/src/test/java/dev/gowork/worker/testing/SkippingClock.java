package dev.gowork.worker.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock, plus whatever time it was told to skip: time flows as usual, and a test makes a
 * deadline pass at the moment it chooses instead of sleeping until it does. Thread-safe.
 */
public final class SkippingClock extends Clock {
  private volatile Duration skipped = Duration.ZERO;

  /** Moves this clock {@code d} ahead of the system clock (on top of what it skipped before). */
  public synchronized void skip(Duration d) {
    skipped = skipped.plus(d);
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
