package dev.gowork.coordinator.work;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The ids of the dead items in the order they died, so that the oldest can be forgotten first.
 *
 * <p>Concurrency: changes to one id come from its record's lock holder ({@link WorkTable}), so the
 * map and the ordered set agree for it; ids do not interfere with one another.
 */
final class DeadLetters {
  private final ConcurrentHashMap<String, Long> diedAt = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Entry> byAge = new ConcurrentSkipListSet<>();

  /** Notes that {@code workId} died at {@code at} (again, when it was already dead). */
  void add(String workId, long at) {
    Long before = diedAt.put(workId, at);
    if (before != null) {
      byAge.remove(new Entry(before, workId));
    }
    byAge.add(new Entry(at, workId));
  }

  void remove(String workId) {
    Long at = diedAt.remove(workId);
    if (at != null) {
      byAge.remove(new Entry(at, workId));
    }
  }

  int size() {
    return diedAt.size();
  }

  Set<String> ids() {
    return diedAt.keySet();
  }

  /**
   * The oldest dead item when it died before {@code cutoff} or when there are more than {@code keep};
   * null when none is due to be forgotten.
   */
  String oldestBeyond(long cutoff, int keep) {
    Entry oldest = byAge.isEmpty() ? null : byAge.first();
    if (oldest == null) {
      return null;
    }
    return oldest.at < cutoff || diedAt.size() > keep ? oldest.workId : null;
  }

  private record Entry(long at, String workId) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : workId.compareTo(o.workId);
    }
  }
}
