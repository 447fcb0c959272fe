package dev.gowork.cli.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Start times of items in flight and the latency of those that completed, for one workload. Thread-
 * safe: stamps come from the sending threads, completions from the loop's completion thread. An id
 * completed twice (at-least-once delivery) or not stamped by this workload (a warm-up leftover) is
 * counted as a duplicate and not measured again.
 */
final class Tracker {
  private static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  private final ConcurrentHashMap<String, Long> started = new ConcurrentHashMap<>();
  private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
  private final LongAdder completed = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastCompletion = new AtomicLong(Long.MIN_VALUE);

  /** Records that {@code id} started at {@code nanos} (System.nanoTime). */
  void start(String id, long nanos) {
    started.put(id, nanos);
    firstStart.accumulateAndGet(nanos, Math::min);
  }

  /** Records that {@code id} completed now. */
  void complete(String id) {
    long now = System.nanoTime();
    Long t0 = started.remove(id);
    if (t0 == null) {
      duplicates.increment();
      return;
    }
    long micros = Math.max(0, (now - t0) / 1_000);
    synchronized (latencyMicros) {
      latencyMicros.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
    }
    completed.increment();
    lastCompletion.accumulateAndGet(now, Math::max);
  }

  long completed() {
    return completed.sum();
  }

  long duplicates() {
    return duplicates.sum();
  }

  /** Nanoseconds from the first start to the last completion (0 before both happened). */
  long spanNanos() {
    long first = firstStart.get();
    long last = lastCompletion.get();
    return first == Long.MAX_VALUE || last == Long.MIN_VALUE ? 0 : Math.max(0, last - first);
  }

  /** The latency at {@code percentile} (0-100) in milliseconds. */
  double latencyMillis(double percentile) {
    synchronized (latencyMicros) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }
}
