package dev.gowork.coordinator.state;

import dev.gowork.broker.wire.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Told about the events each transaction carries: where each one was written, and whether the
 * transaction committed. The handler feed uses it to run handlers as soon as a transaction commits,
 * without waiting to read the events back. Called on the committer thread; must not block.
 */
public interface CommitWatcher {
  /**
   * One event of a transaction and the events topic partition and offset it was written at;
   * {@code handled} is not null when its handlers were started before the commit (it ends when they
   * returned), so they must not run again.
   */
  record Placed(Event event, int partition, long offset, CompletableFuture<Void> handled) {
    /** An event whose handlers wait for its commit. */
    public Placed(Event event, int partition, long offset) {
      this(event, partition, offset, null);
    }
  }

  /** What to do once the transaction ended. */
  interface Outcome {
    /** The transaction committed ({@code true}) or was aborted. */
    void ended(boolean committed);
  }

  /**
   * The events are written but not committed yet (readers of committed data cannot see them).
   *
   * @return told how the transaction ended
   */
  Outcome writing(List<Placed> events);

  /** A watcher that does nothing. */
  CommitWatcher NONE = events -> committed -> { };
}
