package dev.gowork.coordinator;

import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The waits of {@link WorkServer#whenFinished}: each on the work table's finish signal for its item,
 * which the committer or the follower thread completes once a final state is committed. What waits
 * (a status read, an HTTP answer written) runs on this pool of two threads, not on theirs; a wait that
 * ends, however it ends, leaves no signal behind.
 */
final class FinishWaiters {
  private final WorkTable table;
  private final BooleanSupplier closed;
  private final java.util.concurrent.ExecutorService finishWaiters = java.util.concurrent.Executors.newFixedThreadPool(2,
      r -> {
        Thread t = new Thread(r, "gowork-finish-waiters");
        t.setDaemon(true);
        return t;
      });

  /**
   * @param closed true once the server is closed; read after the signal is registered, so that a wait
   *     begun as the server closes (which completes every signal) does not wait for its timeout
   */
  FinishWaiters(WorkTable table, BooleanSupplier closed) {
    this.table = table;
    this.closed = closed;
  }

  /** {@link WorkServer#whenFinished}. */
  CompletableFuture<Optional<WorkStatus>> whenFinished(String workId, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    // Before the signal is registered: Duration.toMillis throws beyond a long of milliseconds, and a
    // throw after registering would leave the signal behind. Such a wait never runs out.
    long millis = timeout.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toMillis();
    CompletableFuture<Void> signal = table.watchFinish(workId);
    Optional<WorkStatus> now = table.status(workId);
    if (now.isEmpty() || Lifecycle.isTerminal(now.get().state()) || closed.getAsBoolean() || timeout.isZero()) {
      table.unwatchFinish(workId, signal);
      return CompletableFuture.completedFuture(now);
    }
    CompletableFuture<Optional<WorkStatus>> answer = signal
        .completeOnTimeout(null, millis, java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApplyAsync(v -> table.status(workId), this::runOnPool);
    answer.whenComplete((st, e) -> table.unwatchFinish(workId, signal));
    return answer;
  }

  /**
   * Runs on the pool; on the calling thread once the pool is stopped: a wait begun as the server
   * closed had its signal completed, and then answers at once with the status, as one begun after
   * does, instead of throwing the pool's RejectedExecutionException at its caller.
   */
  private void runOnPool(Runnable r) {
    try {
      finishWaiters.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
      r.run();
    }
  }

  /** Stops the pool once what it was given has run (the server finishes the table's watches before). */
  void shutdown() {
    finishWaiters.shutdown();
  }
}
