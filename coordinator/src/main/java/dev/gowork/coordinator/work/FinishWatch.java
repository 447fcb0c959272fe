package dev.gowork.coordinator.work;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who waits for which item to finish: each waiter has its own signal, completed (and dropped) when
 * the item's terminal state is committed, or taken back when the waiter gives up, so a waiter that
 * timed out leaves nothing behind. Thread-safe.
 */
final class FinishWatch {
  private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> byId = new ConcurrentHashMap<>();

  CompletableFuture<Void> add(String workId) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    byId.compute(workId, (id, set) -> {
      Set<CompletableFuture<Void>> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(f);
      return s;
    });
    return f;
  }

  void remove(String workId, CompletableFuture<Void> f) {
    byId.computeIfPresent(workId, (id, set) -> {
      set.remove(f);
      return set.isEmpty() ? null : set;
    });
  }

  boolean watched(String workId) {
    return !byId.isEmpty() && byId.containsKey(workId);
  }

  /** Signals everyone waiting for {@code workId}. */
  void finished(String workId) {
    Set<CompletableFuture<Void>> set = byId.remove(workId);
    if (set != null) {
      set.forEach(f -> f.complete(null));
    }
  }

  /** Signals everyone (the table is going away). */
  void finishAll() {
    for (String id : byId.keySet()) {
      finished(id);
    }
  }

  int size() {
    return byId.size();
  }
}
