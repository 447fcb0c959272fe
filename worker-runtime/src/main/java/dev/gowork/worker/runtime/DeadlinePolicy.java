package dev.gowork.worker.runtime;

import java.time.Duration;
import java.time.Instant;

/** What to do about running work at {@code now}: nothing, signal cancellation, or interrupt and give up. */
enum DeadlinePolicy {
  NONE,
  /** The deadline has come: complete the context's cancellation. */
  SIGNAL,
  /** The grace after the signal is over: interrupt the handler and report {@code timed_out}. */
  INTERRUPT;

  static DeadlinePolicy decide(Instant deadline, Duration grace, Instant now, boolean signalled) {
    if (now.isBefore(deadline)) {
      return NONE;
    }
    if (!signalled) {
      return SIGNAL;
    }
    return now.isBefore(deadline.plus(grace)) ? NONE : INTERRUPT;
  }

  /** The next moment {@link #decide} may answer differently. */
  static Instant nextCheck(Instant deadline, Duration grace, boolean signalled) {
    return signalled ? deadline.plus(grace) : deadline;
  }
}
