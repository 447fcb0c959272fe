package dev.gowork.worker.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * What to do about running work at {@code now}: nothing, signal cancellation, or interrupt and give up.
 * The signal comes at the deadline, on the wall clock (an absolute time); the interrupt the grace after
 * the signal, a duration the caller measures on its monotonic source, so that a step of the wall clock
 * after the signal neither puts the interrupt off nor brings it forward.
 */
enum DeadlinePolicy {
  NONE,
  /** The deadline has come: complete the context's cancellation. */
  SIGNAL,
  /** The grace after the signal is over: interrupt the handler and report {@code timed_out}. */
  INTERRUPT;

  /** @param sinceSignal how long ago the handler was signalled (monotonic), or null while it was not */
  static DeadlinePolicy decide(Instant deadline, Duration grace, Instant now, Duration sinceSignal) {
    if (sinceSignal == null) {
      return now.isBefore(deadline) ? NONE : SIGNAL;
    }
    return sinceSignal.compareTo(grace) < 0 ? NONE : INTERRUPT;
  }

  /** How long after {@code now} {@link #decide} may answer differently (negative when it may already). */
  static Duration untilNextCheck(Instant deadline, Duration grace, Instant now, Duration sinceSignal) {
    return sinceSignal == null ? Duration.between(now, deadline) : grace.minus(sinceSignal);
  }
}
