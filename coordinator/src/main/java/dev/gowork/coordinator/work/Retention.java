package dev.gowork.coordinator.work;

import dev.gowork.coordinator.state.Journal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the work table's memory bounded: notes the order in which items ended (finished ones and
 * dead letters apart) and forgets the oldest past their retention or beyond their cap, deleting the
 * state record (a tombstone) of those this coordinator owns.
 *
 * <p>Concurrency: {@link WorkTable} notes endings while it holds the item's lock; the forget methods
 * run on one background task and take each item's lock before removing it, so an item that left its
 * ending meanwhile (a requeued dead letter) is skipped.
 */
final class Retention {
  private final ConcurrentHashMap<String, WorkRecord> items;
  private final Ownership ownership;
  private final Journal journal;
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  /** Entries in {@link #finished}. */
  private final AtomicInteger finishedQueued = new AtomicInteger();
  private final DeadLetters dead = new DeadLetters();

  Retention(ConcurrentHashMap<String, WorkRecord> items, Ownership ownership, Journal journal) {
    this.items = items;
    this.ownership = ownership;
    this.journal = journal;
  }

  /** {@code workId} became completed, failed or timed out at {@code at}. */
  void finished(String workId, long at) {
    finished.add(new Finished(workId, at));
    finishedQueued.incrementAndGet();
  }

  /**
   * Orders the finished items by when they finished. A rebuild notes them in the order it reads the
   * state topic, partition after partition, not in the order they finished; the cap would then forget
   * newer items before older ones. Called once the rebuild is done, before anything else changes the table.
   */
  void orderFinishedByAge() {
    java.util.List<Finished> all = new java.util.ArrayList<>(finished);
    all.sort(java.util.Comparator.comparingLong(Finished::at));
    finished.clear();
    finished.addAll(all);
  }

  /** {@code workId} died at {@code at}. */
  void died(String workId, long at) {
    dead.add(workId, at);
  }

  /** {@code workId} is no longer a dead letter (requeued, deleted, or forgotten by its owner). */
  void undead(String workId) {
    dead.remove(workId);
  }

  Set<String> deadIds() {
    return dead.ids();
  }

  int deadCount() {
    return dead.size();
  }

  /** See {@link WorkTable#forgetFinished}. */
  int forgetFinished(long cutoff, int keep) {
    int n = 0;
    for (Finished f = finished.peek(); f != null && (f.at < cutoff || finishedQueued.get() > keep);
        f = finished.peek()) {
      if (finished.poll() == null) {
        break;
      }
      finishedQueued.decrementAndGet();
      WorkRecord r = items.get(f.workId);
      if (r != null) {
        synchronized (r) {
          if (r.state != WorkState.DEAD && Lifecycle.isTerminal(r.state) && remove(r)) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** See {@link WorkTable#forgetDead}. */
  int forgetDead(long cutoff, int keep) {
    int n = 0;
    for (String id = dead.oldestBeyond(cutoff, keep); id != null; id = dead.oldestBeyond(cutoff, keep)) {
      WorkRecord r = items.get(id);
      if (r == null) {
        dead.remove(id);
        continue;
      }
      synchronized (r) {
        if (r.state == WorkState.DEAD && remove(r)) {
          n++;
        }
        dead.remove(id);
      }
    }
    return n;
  }

  /** Removes the item and, when this coordinator owns it, deletes its state record; the caller holds its lock. */
  private boolean remove(WorkRecord r) {
    // The ownership check belongs to the unit, as for every change of an item (WorkTable): a coordinator
    // giving up the partition drains the journal after it dropped it, so a tombstone decided as the owner
    // is committed before the new owner reads the state, and none lands after (it could delete a record
    // the new owner wrote since, e.g. of a dead letter it requeued).
    return journal.atomically(() -> {
      if (!items.remove(r.workId, r)) {
        return false;
      }
      if (ownership.owns(r.workId)) {
        journal.put(Journal.Kind.STATE, r.workId, null);
      }
      return true;
    });
  }

  private record Finished(String workId, long at) {}
}
