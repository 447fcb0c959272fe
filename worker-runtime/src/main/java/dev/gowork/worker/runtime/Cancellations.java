package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.CancelNotice;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work the coordinator cancelled, as far as this replica has read {@code <p>.control}: each id
 * until its deadline, after which the work would not run anyway. Written by {@link FollowControl},
 * read by the poll and work threads.
 */
final class Cancellations {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellations.class);
  /** At most this many ids are kept (~100 MB); past it, a notice is dropped and its work may run. */
  static final int MAX_KEPT = 1_000_000;

  /** Work id to its deadline, in epoch milliseconds. */
  private final ConcurrentHashMap<String, Long> deadlines = new ConcurrentHashMap<>();
  private boolean fullWarned;

  /** True when {@code workId} was cancelled (and its deadline had not passed when last purged). */
  boolean contains(String workId) {
    return !deadlines.isEmpty() && deadlines.containsKey(workId);
  }

  /** Notes a cancellation, unless its deadline has passed at {@code now}. */
  void add(CancelNotice n, long now) {
    long deadline = n.deadline().toEpochMilli();
    if (deadline <= now) {
      return;
    }
    if (deadlines.size() >= MAX_KEPT && !deadlines.containsKey(n.workId())) {
      if (!fullWarned) {
        LOG.warn("{} cancelled work ids with open deadlines are kept already; work cancelled beyond that may still "
            + "run here (the coordinator refuses its result)", MAX_KEPT);
        fullWarned = true;
      }
      return;
    }
    deadlines.put(n.workId(), deadline);
  }

  /** Forgets the ids whose deadline has passed at {@code now}; returns how many. */
  int forgetExpired(long now) {
    int before = deadlines.size();
    deadlines.values().removeIf(deadline -> deadline <= now);
    if (deadlines.size() < MAX_KEPT) {
      fullWarned = false;
    }
    return before - deadlines.size();
  }

  int size() {
    return deadlines.size();
  }
}
