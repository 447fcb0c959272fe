package dev.gowork.coordinator.retry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Retries waiting for their time. A planned one is due at a time on the injected clock (epoch ms: a
 * backoff or a delayed release counts from a time in the work's record, which another coordinator may
 * have written); one put off after a failed try waits a local duration, on the monotonic nanoTime, so
 * that a step of the wall clock neither holds it off nor hurries it. Thread-safe.
 */
public final class RetryPlan {
  private final PriorityQueue<Due> planned = new PriorityQueue<>(Comparator.comparingLong(Due::at));
  /** Ordered by difference, as nanoTime must be compared. */
  private final PriorityQueue<Due> putOff = new PriorityQueue<>((a, b) -> Long.signum(a.at() - b.at()));

  /** Plans attempt {@code attempt} of {@code workId} for {@code at} (epoch ms). */
  public synchronized void schedule(String workId, int attempt, long at) {
    planned.add(new Due(workId, attempt, at, false, 0, false));
  }

  /** Plans the first publication of {@code workId}, added with a delay, for {@code at} (epoch ms). */
  public synchronized void scheduleRelease(String workId, long at) {
    planned.add(new Due(workId, 1, at, false, 0, true));
  }

  /** Plans only the publication of attempt {@code attempt}, already QUEUED in the table (after a restart). */
  public synchronized void scheduleRepublish(String workId, int attempt, long at) {
    planned.add(new Due(workId, attempt, at, true, 0, false));
  }

  /** Puts {@code d} off until {@code atNanos}, on the monotonic nanoTime. */
  synchronized void again(Due d, int attempt, long atNanos, boolean requeued) {
    putOff.add(new Due(d.workId(), attempt, atNanos, requeued, d.tries() + 1, d.release()));
  }

  /** Returns retries taken by {@link #due} but not tried, as they were (same time, same tries). */
  synchronized void putBack(List<Due> untried) {
    for (Due d : untried) {
      (d.putOff() ? putOff : planned).add(d);
    }
  }

  /** The retries due at {@code now} (epoch ms) or, for those put off, at {@code nowNanos}. */
  synchronized List<Due> due(long now, long nowNanos) {
    List<Due> out = new ArrayList<>();
    while (!planned.isEmpty() && planned.peek().at() <= now) {
      out.add(planned.poll());
    }
    while (!putOff.isEmpty() && putOff.peek().at() - nowNanos <= 0) {
      out.add(putOff.poll());
    }
    return out;
  }

  public synchronized int size() {
    return planned.size() + putOff.size();
  }

  /**
   * @param at when it is due: epoch ms on the injected clock when planned, the monotonic nanoTime once
   *     put off ({@link #putOff()})
   * @param requeued true once the work table moved the item back to queued (only the publication is
   *     left to do)
   * @param tries how many times this retry was put off (record not located yet, Kafka not answering)
   * @param release true for the first publication of work added with a delay, not a retry
   */
  record Due(String workId, int attempt, long at, boolean requeued, int tries, boolean release) {
    /** True once put off after a failed try: {@link #at} is on the monotonic nanoTime. */
    boolean putOff() {
      return tries > 0;
    }
  }
}
