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
  /** GoWork only: item created -> result applied by the coordinator (the work_complete event's durationMs). */
  private final Histogram appliedMillis = new Histogram(MAX_LATENCY_MICROS / 1000, 3);
  /** GoWork only: result applied (the event's time) -> the work_complete handler called. */
  private final Histogram handlerLagMillis = new Histogram(MAX_LATENCY_MICROS / 1000, 3);
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

  /**
   * Records where an item's time went, as its {@code work_complete} event tells: {@code createdToApplied}
   * ms from the add to the coordinator applying the result, {@code appliedToHandler} ms from there to
   * the handler call (the commit of the event and the handlers' read of it).
   */
  void stages(long createdToApplied, long appliedToHandler) {
    synchronized (appliedMillis) {
      appliedMillis.recordValue(Math.max(0, Math.min(createdToApplied, appliedMillis.getHighestTrackableValue())));
      handlerLagMillis.recordValue(Math.max(0, Math.min(appliedToHandler, handlerLagMillis.getHighestTrackableValue())));
    }
  }

  /** The stage at {@code percentile} in ms (see {@link #stages}), or -1 when no stage was recorded. */
  long appliedMillis(double percentile) {
    synchronized (appliedMillis) {
      return appliedMillis.getTotalCount() == 0 ? -1 : appliedMillis.getValueAtPercentile(percentile);
    }
  }

  /** See {@link #appliedMillis}. */
  long handlerLagMillis(double percentile) {
    synchronized (appliedMillis) {
      return handlerLagMillis.getTotalCount() == 0 ? -1 : handlerLagMillis.getValueAtPercentile(percentile);
    }
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
