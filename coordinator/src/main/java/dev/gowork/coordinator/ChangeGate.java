package dev.gowork.coordinator;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Admits the calls that change state (add, cancel, requeue, revoke, an HTTP worker's result or progress…)
 * until the server begins to close, and lets {@link WorkServer#close()} wait for those admitted before it
 * stops committing and closes its producer (and the HTTP service's close before it closes their
 * connections: {@link WorkServer#awaitChanges}). So a call either is refused before it changes or
 * publishes anything ({@link ClosingException}), or runs to its commit or publication: none changes the
 * work table, or sends a result to {@code <p>.results}, and then fails or is cut off (its caller told it
 * failed while it took effect).
 */
final class ChangeGate {
  private final AtomicInteger underWay = new AtomicInteger();
  private volatile boolean refusing;
  /** Set by the first {@link #awaitNone}: from then on the last change to end wakes its waiters. */
  private volatile boolean awaited;

  /**
   * Runs {@code change} unless the server is closing.
   *
   * @throws ClosingException when it is, with nothing run
   */
  <T> T run(Supplier<T> change) {
    enter();
    try {
      return change.get();
    } finally {
      leave();
    }
  }

  void run(Runnable change) {
    run(() -> {
      change.run();
      return null;
    });
  }

  /** {@link #run} for a change that ends when its future does. */
  <T> CompletableFuture<T> runAsync(Supplier<CompletableFuture<T>> change) {
    enter();
    CompletableFuture<T> f;
    try {
      f = change.get();
    } catch (RuntimeException e) {
      leave();
      throw e;
    }
    return f.whenComplete((v, e) -> leave());
  }

  /** Refuses changes from now on. */
  void refuse() {
    refusing = true;
  }

  /**
   * Waits up to {@code timeout} for the changes under way to end (refusing none: {@link #refuse} does).
   *
   * @return false when some were still under way then
   */
  boolean awaitNone(Duration timeout) {
    awaited = true; // before reading the count: a change ending after that read wakes this wait
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (underWay) {
      for (long left = timeout.toNanos(); underWay.get() > 0 && left > 0; left = end - System.nanoTime()) {
        try {
          TimeUnit.NANOSECONDS.timedWait(underWay, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return underWay.get() == 0;
    }
  }

  private void enter() {
    // Counted before the check: a close that refuses after this point waits for this change.
    underWay.incrementAndGet();
    if (refusing) {
      leave();
      throw ClosingException.closing();
    }
  }

  private void leave() {
    if (underWay.decrementAndGet() == 0 && awaited) {
      synchronized (underWay) {
        underWay.notifyAll();
      }
    }
  }
}
