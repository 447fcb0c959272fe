package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.QueueNotice;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The queues the coordinator paused, as read from {@code <p>.queues}. Thread-safe. */
final class PausedQueues {
  private final Set<String> paused = ConcurrentHashMap.newKeySet();

  /** @return true when it changed whether its queue is paused */
  boolean apply(QueueNotice n) {
    return n.paused() ? paused.add(n.queue()) : paused.remove(n.queue());
  }

  /** A deleted record: the queue is not paused. */
  void forget(String queue) {
    paused.remove(queue);
  }

  boolean isPaused(String queue) {
    return paused.contains(queue);
  }
}
