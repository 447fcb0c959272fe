package dev.gowork.coordinator.results;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Remembers the (work id, attempt) pairs whose result was accepted, in a bounded set, so that a
 * replayed record is refused with a clear reason. The work table's state refuses replays too (a
 * finished item takes no second result); this set keeps the reason precise and is a second line.
 */
final class ReplayGuard {
  private final Cache<String, Boolean> seen;

  ReplayGuard(long maxEntries) {
    this.seen = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
  }

  /** True the first time a pair is offered; false for a replay. */
  boolean firstTime(String workId, int attempt) {
    return seen.asMap().putIfAbsent(attempt + ":" + workId, Boolean.TRUE) == null;
  }
}
