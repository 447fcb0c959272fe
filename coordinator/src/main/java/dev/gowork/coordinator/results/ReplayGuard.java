package dev.gowork.coordinator.results;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the (work id, attempt) pairs whose result was accepted, in a bounded set (the oldest
 * pair goes first), so that a replayed record is refused with a clear reason. The work table's state
 * refuses replays too (a finished item takes no second result); this set keeps the reason precise and
 * is a second line. Each pair keeps its results partition: when this coordinator loses a partition,
 * its pairs go ({@link #forgetPartitions}), since their work is decided elsewhere until it is back,
 * and a result read again then is judged by the work's state as it is then, not refused as a replay.
 * Each pair also keeps which incarnation of its work it was accepted for (the item's creation time): a
 * work id added again once its first item was forgotten (a caller's own id, after the finished-work
 * retention) is new work, whose first result is no replay of the old one's.
 * A plain insertion-ordered map under a lock: a bounded Caffeine cache, evicting on every put at full
 * size, was a fifth of the results thread's CPU in a steady burst.
 */
final class ReplayGuard {
  /** Pair to where and for which incarnation it was accepted. */
  private final Map<String, Seen> seen;

  private record Seen(int partition, long incarnation) {}

  ReplayGuard(long maxEntries) {
    int max = (int) Math.max(1, Math.min(maxEntries, Integer.MAX_VALUE - 8));
    this.seen = new LinkedHashMap<>(Math.min(max, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
        return size() > max;
      }
    };
  }

  /**
   * True the first time a pair is offered for the work's {@code incarnation} (its creation time, epoch
   * ms); false for a replay.
   */
  synchronized boolean firstTime(String workId, int attempt, int partition, long incarnation) {
    Seen before = seen.put(attempt + ":" + workId, new Seen(partition, incarnation));
    return before == null || before.incarnation() != incarnation;
  }

  /** Takes back a pair whose result was refused, so that a refused result cannot block the real one. */
  synchronized void forget(String workId, int attempt) {
    seen.remove(attempt + ":" + workId);
  }

  /** Forgets the pairs of results partitions this coordinator no longer holds (one pass over the set). */
  synchronized void forgetPartitions(Collection<Integer> partitions) {
    if (!partitions.isEmpty()) {
      seen.values().removeIf(s -> partitions.contains(s.partition()));
    }
  }
}
