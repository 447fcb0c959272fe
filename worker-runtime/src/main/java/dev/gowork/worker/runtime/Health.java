package dev.gowork.worker.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a replica is alive and whether it takes work, with the reason when not; what its
 * {@code /healthz} and {@code /readyz} answer.
 *
 * <ul>
 *   <li>Live: starting, running, or draining for a shutdown. Not live once stopped, when the consume
 *       loop failed (the reason says so; the cause is in the replica's log, not in the answer), or
 *       when it has not begun a round for {@link #STALL_LIMIT} (it begins one at least every 100 ms),
 *       measured on a monotonic clock: a process in that state should be restarted.
 *   <li>Ready: running with a valid session and at least one slot in the queue's share group. Not
 *       while starting, draining, stopped, while its session has expired and renewal has not yet
 *       succeeded, or while the share group refuses all its slots (it is full). With some slots
 *       refused it is ready, and the reason says how many take work.
 * </ul>
 *
 * @param live whether the replica works (a liveness probe)
 * @param ready whether it takes work now (a readiness probe)
 * @param reason {@code ok}, or why it is not live or not ready, in words
 */
public record Health(boolean live, boolean ready, String reason) {
  /**
   * How long the consume loop may go without beginning a round before the replica counts as stuck:
   * three times what one Kafka send may block by default ({@code max.block.ms}, 60 s), which the loop
   * does when it answers an expired record while Kafka is away.
   */
  public static final Duration STALL_LIMIT = Duration.ofMinutes(3);

  /** A replica whose runtime has not started yet (authenticating with the coordinator). */
  public static Health starting() {
    return new Health(true, false, "starting: authenticating with the coordinator");
  }

  /**
   * Judges a started replica.
   *
   * @param failure why the consume loop stopped on its own, if it did
   * @param sinceLastTurn how long ago the consume loop last began a round, on a monotonic clock (a step
   *     of the wall clock must not make a running replica look stuck)
   */
  static Health judge(boolean closing, boolean closed, Optional<Throwable> failure, Duration sinceLastTurn,
      boolean sessionValid, Instant sessionExpiresAt) {
    return judge(closing, closed, failure, sinceLastTurn, sessionValid, sessionExpiresAt, 1, 0);
  }

  /**
   * Judges a started replica of {@code slots} slots, {@code refusedSlots} of which the queue's share
   * group refused (it was full).
   */
  static Health judge(boolean closing, boolean closed, Optional<Throwable> failure, Duration sinceLastTurn,
      boolean sessionValid, Instant sessionExpiresAt, int slots, int refusedSlots) {
    if (failure.isPresent()) {
      // Not the exception's text: it may name brokers, topics or credentials' principals, and the probe
      // answers anyone who reaches the port.
      return new Health(false, false, "the consume loop stopped on an error (see the replica's log)");
    }
    if (closed) {
      return new Health(false, false, "stopped");
    }
    if (closing) {
      return new Health(true, false, "draining for shutdown");
    }
    if (sinceLastTurn.compareTo(STALL_LIMIT) > 0) {
      return new Health(false, false, "the consume loop has not turned for " + sinceLastTurn.toSeconds()
          + " s (limit " + STALL_LIMIT.toSeconds() + " s)");
    }
    if (!sessionValid) {
      return new Health(true, false, "the session expired at " + sessionExpiresAt
          + "; taking no work until it is renewed");
    }
    if (refusedSlots >= slots) {
      return new Health(true, false, "the queue's share group is full (the brokers' group.share.max.size): none of "
          + "this replica's " + slots + " slots could join; trying again");
    }
    if (refusedSlots > 0) {
      return new Health(true, true, "ok, with " + (slots - refusedSlots) + " of " + slots + " slots: the queue's "
          + "share group is full (the brokers' group.share.max.size); the others try to join again");
    }
    return new Health(true, true, "ok");
  }
}
