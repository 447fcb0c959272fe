package dev.gowork.worker.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A lane's records out for RENEW, and when to give up on one that does not come back. Records of
 * different partitions come back in different polls when their leaders differ, so one that missed a
 * poll that brought back others is not lost yet: it is presumed lost once the patience (the lock) has
 * passed since its own RENEW, or earlier once it has missed the first such poll and
 * {@link #FURTHER_POLLS_FOR_STRAGGLERS} more and a tenth of the patience has passed. (Counting polls
 * alone gave up too soon: those that came back go out again at once and return a round trip later,
 * so three polls can take a few milliseconds, and a straggler given up is no longer renewed while its
 * result waits, so its lock could run out.) The patience runs on a monotonic source: on the wall clock, a
 * step forward past it while a RENEW was out ended a running handler's renewals. Only the lane's
 * thread uses this class (the poll thread, or the thread that closes it).
 */
final class Renewals {
  /**
   * How many polls that bring back others of the lane's renewed records a record out for RENEW may
   * miss after the first such poll before it is presumed lost.
   */
  static final int FURTHER_POLLS_FOR_STRAGGLERS = 2;
  /** The share of the patience a straggler is waited for at least, however many polls it misses. */
  static final int STRAGGLER_WAIT_SHARE_OF_PATIENCE = 10;

  /** A monotonic time source ({@link System#nanoTime}). */
  private final LongSupplier nanoTime;
  /** Records sent back with RENEW that have not come back yet. */
  private final Map<Held, Renewal> out = new LinkedHashMap<>();
  /** The lane's records that came back in the current poll. */
  private final List<Held> cameBack = new ArrayList<>();

  /**
   * A record out for RENEW: when it was sent ({@link #nanoTime}), the polls it missed since, and
   * whether the broker has confirmed it.
   */
  private static final class Renewal {
    final long sentNanos;
    int pollsMissed;
    boolean confirmed;

    Renewal(long sentNanos) {
      this.sentNanos = sentNanos;
    }
  }

  Renewals(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** {@code records} were sent back with RENEW just now. */
  void sent(List<Held> records) {
    long sentAt = nanoTime.getAsLong();
    records.forEach(h -> out.put(h, new Renewal(sentAt)));
  }

  boolean isOut(Held h) {
    return out.containsKey(h);
  }

  boolean anyOut() {
    return !out.isEmpty();
  }

  /** The records out, in the order they were sent (a copy). */
  List<Held> out() {
    return List.copyOf(out.keySet());
  }

  /** The broker accepted the RENEW of {@code h} (a record out; others are ignored). */
  void confirmed(Held h) {
    Renewal r = out.get(h);
    if (r != null) {
      r.confirmed = true;
    }
  }

  /** Whether the broker has confirmed the RENEW of every record out (true when none is out). */
  boolean allConfirmed() {
    return out.values().stream().allMatch(r -> r.confirmed);
  }

  /** {@code h}, out for RENEW, came back in the current poll. */
  void cameBack(Held h) {
    out.remove(h);
    cameBack.add(h);
  }

  /** No longer waits for {@code h}: its lock is lost. */
  void giveUp(Held h) {
    out.remove(h);
  }

  /**
   * After a poll (or a failed one): the records out that are now presumed lost ({@link #presumedLost});
   * they stay out until given up.
   */
  List<Held> presumedLost(Duration patience) {
    long now = nanoTime.getAsLong();
    List<Held> lost = new ArrayList<>();
    out.forEach((h, r) -> {
      if (!cameBack.isEmpty()) {
        r.pollsMissed++;
      }
      if (presumedLost(r.sentNanos, r.pollsMissed, now, patience)) {
        lost.add(h);
      }
    });
    return lost;
  }

  /** Ends the current poll: the records that came back in it. */
  List<Held> endPoll() {
    List<Held> back = List.copyOf(cameBack);
    cameBack.clear();
    return back;
  }

  /**
   * Whether a record out for RENEW since {@code sentNanos} (of {@link System#nanoTime}), which has
   * missed {@code pollsMissed} polls that brought back others of its lane's renewed records, is
   * presumed lost at {@code nowNanos}: once {@code patience} has passed, or once it has missed the
   * first such poll and {@link #FURTHER_POLLS_FOR_STRAGGLERS} more and a tenth of {@code patience} has
   * passed.
   */
  static boolean presumedLost(long sentNanos, int pollsMissed, long nowNanos, Duration patience) {
    long waited = nowNanos - sentNanos;
    return waited >= patience.toNanos() || (pollsMissed > FURTHER_POLLS_FOR_STRAGGLERS
        && waited >= patience.toNanos() / STRAGGLER_WAIT_SHARE_OF_PATIENCE);
  }
}
