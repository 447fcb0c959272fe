package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.ResultStatus;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link Counters}; written by the poll thread, read by anyone. */
final class Stats {
  private final LongAdder processed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder released = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();

  void written(ResultStatus status) {
    switch (status) {
      case COMPLETED -> processed.increment();
      case FAILED -> failed.increment();
      case TIMED_OUT -> timedOut.increment();
    }
  }

  void rejected() {
    rejected.increment();
  }

  void released() {
    released.increment();
  }

  void acquired() {
    inFlight.incrementAndGet();
  }

  void done() {
    inFlight.decrementAndGet();
  }

  Counters snapshot() {
    return new Counters(processed.sum(), failed.sum(), timedOut.sum(), rejected.sum(), released.sum(), inFlight.get());
  }
}
