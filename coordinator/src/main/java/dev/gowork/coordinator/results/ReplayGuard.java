package dev.gowork.coordinator.results;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the (work id, attempt) pairs whose result was accepted, in a bounded set (the oldest
 * pair goes first), so that a replayed record is refused with a clear reason. The work table's state
 * refuses replays too (a finished item takes no second result); this set keeps the reason precise and
 * is a second line. A plain insertion-ordered map under a lock: a bounded Caffeine cache, evicting on
 * every put at full size, was a fifth of the results thread's CPU in a steady burst.
 */
final class ReplayGuard {
  private final Map<String, Boolean> seen;

  ReplayGuard(long maxEntries) {
    int max = (int) Math.max(1, Math.min(maxEntries, Integer.MAX_VALUE - 8));
    this.seen = new LinkedHashMap<>(Math.min(max, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > max;
      }
    };
  }

  /** True the first time a pair is offered; false for a replay. */
  synchronized boolean firstTime(String workId, int attempt) {
    return seen.putIfAbsent(attempt + ":" + workId, Boolean.TRUE) == null;
  }

  /** Takes back a pair whose result was refused, so that a refused result cannot block the real one. */
  synchronized void forget(String workId, int attempt) {
    seen.remove(attempt + ":" + workId);
  }
}
