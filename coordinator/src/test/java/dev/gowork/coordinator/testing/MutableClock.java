package dev.gowork.coordinator.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when a test advances it. {@link #nanoTime()} is its monotonic side (for what
 * a coordinator measures as a duration): {@link #advance} lets time pass on both, while {@link #step}
 * moves the wall clock alone, as NTP or a resumed VM does. Thread-safe.
 */
public final class MutableClock extends Clock {
  private final AtomicLong millis;
  /** Starts near the end of the long range, so that a comparison that is not overflow-safe shows. */
  private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - Duration.ofDays(1).toNanos());

  public MutableClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** Starts at the current wall time, so Kafka record timestamps and signed timestamps look plausible. */
  public static MutableClock atNow() {
    return new MutableClock(Instant.now());
  }

  /** Lets {@code d} pass: on this clock and on {@link #nanoTime()}. */
  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
    nanos.addAndGet(d.toNanos());
  }

  /** Steps this clock {@code d} (back when negative); {@link #nanoTime()} does not move. */
  public void step(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  /** The monotonic side, a {@code LongSupplier} for {@code System::nanoTime}: moved by {@link #advance} only. */
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
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
