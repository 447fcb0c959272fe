package dev.gowork.coordinator.retry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Retries waiting for their time, ordered by when they are due (epoch ms on the injected clock).
 * Thread-safe.
 */
public final class RetryPlan {
  private final PriorityQueue<Due> heap = new PriorityQueue<>(Comparator.comparingLong(Due::at));

  /** Plans attempt {@code attempt} of {@code workId} for {@code at}. */
  public synchronized void schedule(String workId, int attempt, long at) {
    heap.add(new Due(workId, attempt, at, false, 0, false));
  }

  /** Plans the first publication of {@code workId}, added with a delay, for {@code at}. */
  public synchronized void scheduleRelease(String workId, long at) {
    heap.add(new Due(workId, 1, at, false, 0, true));
  }

  /** Plans only the publication of attempt {@code attempt}, already QUEUED in the table (after a restart). */
  public synchronized void scheduleRepublish(String workId, int attempt, long at) {
    heap.add(new Due(workId, attempt, at, true, 0, false));
  }

  synchronized void again(Due d, int attempt, long at, boolean requeued) {
    heap.add(new Due(d.workId(), attempt, at, requeued, d.tries() + 1, d.release()));
  }

  /** Returns retries taken by {@link #due} but not tried, as they were (same time, same tries). */
  synchronized void putBack(List<Due> untried) {
    heap.addAll(untried);
  }

  synchronized List<Due> due(long now) {
    List<Due> out = new ArrayList<>();
    while (!heap.isEmpty() && heap.peek().at() <= now) {
      out.add(heap.poll());
    }
    return out;
  }

  public synchronized int size() {
    return heap.size();
  }

  /**
   * @param requeued true once the work table moved the item back to queued (only the publication is
   *     left to do)
   * @param tries how many times this retry was put off (record not located yet, Kafka not answering)
   * @param release true for the first publication of work added with a delay, not a retry
   */
  record Due(String workId, int attempt, long at, boolean requeued, int tries, boolean release) {}
}
