package dev.gowork.worker.runtime;

import dev.gowork.worker.handler.WorkHandler;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs the records of one poll back to back on one work thread, each through {@link RunWork}, so a
 * batch of short handlers costs one thread hand-off instead of one per record, and their results
 * reach the producer together (one produce request for the batch).
 *
 * <p>Threads: the work thread runs {@link #run}; the poll thread may call {@link #interrupt} (a
 * record overran its deadline) and {@link #abandonAfter} (that record's thread is stuck, the rest
 * of the batch goes to a new thread). Both take this object's lock, as does the step to the next
 * record, so an interrupt meant for one record never lands in the next one, and an abandoned batch
 * starts nothing more. A record settled by the poll thread before it starts (released on shutdown
 * or at a lock deadline) is skipped by {@link RunWork}.
 */
final class RunBatch implements Runnable {
  private final List<Held> records;
  private final WorkHandler handler;
  private final PublishResults publisher;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Stats stats;
  private final Cancellations cancellations;
  private Held current;
  private Thread thread;
  private boolean abandoned;

  RunBatch(List<Held> records, WorkHandler handler, PublishResults publisher, Clock clock, LongSupplier nanoTime,
      Stats stats, Cancellations cancellations) {
    this.records = List.copyOf(records);
    this.cancellations = cancellations;
    this.handler = handler;
    this.publisher = publisher;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.stats = stats;
    this.records.forEach(h -> h.run = this);
  }

  @Override
  public void run() {
    for (Held h : records) {
      synchronized (this) {
        if (abandoned) {
          return;
        }
        current = h;
        thread = Thread.currentThread();
        Thread.interrupted();
      }
      new RunWork(h, handler, publisher, clock, nanoTime, stats, cancellations).run();
    }
    synchronized (this) {
      current = null;
      thread = null;
      Thread.interrupted();
    }
  }

  /** Interrupts the work thread if it is still running {@code h}'s handler. */
  synchronized void interrupt(Held h) {
    if (current == h && thread != null) {
      thread.interrupt();
    }
  }

  /**
   * Stops the batch from starting anything after {@code h}, if its thread is still on {@code h}.
   *
   * @return true when abandoned: the records after {@code h} will not run on this thread
   */
  synchronized boolean abandonAfter(Held h) {
    if (current != h) {
      return false;
    }
    abandoned = true;
    return true;
  }
}
