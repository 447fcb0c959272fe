package dev.gowork.coordinator.timeout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Work ids ordered by deadline (a binary heap), so that finding what is due costs
 * O(log n) per item and nothing for items not yet due. It only says when to look: whether an item
 * really times out is decided by the work table from its state at that moment, so entries of items
 * that finished early (or were given a new deadline and tracked again) are harmless. Thread-safe;
 * about 40 bytes per tracked item.
 */
public final class TimeoutTracker {
  private final PriorityQueue<Entry> heap = new PriorityQueue<>(
      Comparator.comparingLong(Entry::deadline).thenComparing(Entry::workId));

  /** Watches {@code workId} until {@code deadlineMillis} (epoch ms). */
  public synchronized void track(String workId, long deadlineMillis) {
    heap.add(new Entry(deadlineMillis, workId));
  }

  /** Removes and returns up to {@code max} ids whose deadline is at or before {@code nowMillis}, earliest first. */
  public synchronized List<String> due(long nowMillis, int max) {
    List<String> out = new ArrayList<>();
    while (out.size() < max && !heap.isEmpty() && heap.peek().deadline() <= nowMillis) {
      out.add(heap.poll().workId());
    }
    return out;
  }

  /** The earliest deadline tracked, if any. */
  public synchronized OptionalLong next() {
    return heap.isEmpty() ? OptionalLong.empty() : OptionalLong.of(heap.peek().deadline());
  }

  public synchronized int size() {
    return heap.size();
  }

  private record Entry(long deadline, String workId) {}
}
