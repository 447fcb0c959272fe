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
 * A plain insertion-ordered map under a lock: a bounded Caffeine cache, evicting on every put at full
 * size, was a fifth of the results thread's CPU in a steady burst.
 */
final class ReplayGuard {
  /** Pair to its results partition. */
  private final Map<String, Integer> seen;

  ReplayGuard(long maxEntries) {
    int max = (int) Math.max(1, Math.min(maxEntries, Integer.MAX_VALUE - 8));
    this.seen = new LinkedHashMap<>(Math.min(max, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
        return size() > max;
      }
    };
  }

  /** True the first time a pair is offered; false for a replay. */
  synchronized boolean firstTime(String workId, int attempt, int partition) {
    return seen.putIfAbsent(attempt + ":" + workId, partition) == null;
  }

  /** Takes back a pair whose result was refused, so that a refused result cannot block the real one. */
  synchronized void forget(String workId, int attempt) {
    seen.remove(attempt + ":" + workId);
  }

  /** Forgets the pairs of results partitions this coordinator no longer holds (one pass over the set). */
  synchronized void forgetPartitions(Collection<Integer> partitions) {
    if (!partitions.isEmpty()) {
      seen.values().removeIf(partitions::contains);
    }
  }
}
