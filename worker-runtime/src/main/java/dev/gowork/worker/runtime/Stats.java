package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.ResultStatus;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link Counters}; written by the poll thread, read by anyone. */
final class Stats {
  private final LongAdder processed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder released = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Times handler runs when the runtime was given a meter registry, else null. */
  private final Timer handlerTime;

  Stats(Timer handlerTime) {
    this.handlerTime = handlerTime;
  }

  void written(ResultStatus status) {
    switch (status) {
      case COMPLETED -> processed.increment();
      case FAILED -> failed.increment();
      case TIMED_OUT -> timedOut.increment();
    }
  }

  /** One handler run of {@code nanos} (measured, not from the clock) ended (a work thread). */
  void handled(long nanos) {
    if (handlerTime != null) {
      handlerTime.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void rejected() {
    rejected.increment();
  }

  void released() {
    released.increment();
  }

  void cancelled() {
    cancelled.increment();
  }

  void duplicate() {
    duplicates.increment();
  }

  void acquired() {
    inFlight.incrementAndGet();
  }

  void done() {
    inFlight.decrementAndGet();
  }

  Counters snapshot() {
    return new Counters(processed.sum(), failed.sum(), timedOut.sum(), rejected.sum(), released.sum(), inFlight.get(),
        cancelled.sum(), duplicates.sum());
  }
}
