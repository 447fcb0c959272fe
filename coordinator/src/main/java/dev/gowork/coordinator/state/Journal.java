package dev.gowork.coordinator.state;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The coordinator's changes waiting to be committed: work state records, session records and
 * events, in the order they happened. One thread (the results consumer) {@link #drain drains} it
 * and commits what it drained in one Kafka transaction, together with the result offsets it read.
 *
 * <p>Concurrency: appends take the read side of a lock, {@link #drain} the write side, so changes
 * made inside one {@link #atomically} call (a state change and the events it fires) are drained,
 * and therefore committed, together or not at all. Appending never blocks on Kafka. Handlers see
 * an event only once its transaction committed ({@code HandlerFeed}), so never one that a crash
 * could take back.
 *
 * <p>A discarding journal ({@link #discarding()}) drops everything; unit tests and in-memory
 * wiring use it.
 */
public final class Journal {
  /**
   * What a change is: a work state record, a session record, an event, a notice for the workers, a
   * schedule's definition or run, or whether a queue is paused; each has its own topic.
   */
  public enum Kind { STATE, SESSION, EVENT, CONTROL, SCHEDULE, QUEUE }

  /**
   * One change; {@code value == null} is a tombstone; {@code done} marks a flush point instead;
   * {@code handled}, on an event handed to the handlers before its commit, ends when they returned.
   */
  record Entry(Kind kind, String key, byte[] value, Event event, CompletableFuture<Void> done,
      CompletableFuture<Void> handled) {}

  private final boolean durable;
  private final Duration flushTimeout;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  private volatile Runnable wake = () -> { };
  private volatile boolean writerAttached;
  private volatile RuntimeException failure;

  private Journal(boolean durable, Duration flushTimeout) {
    this.durable = durable;
    this.flushTimeout = flushTimeout;
  }

  /** A journal whose changes a {@link TransactionalWriter} commits; {@link #flushAndWait()} waits up to {@code flushTimeout}. */
  public static Journal durable(Duration flushTimeout) {
    return new Journal(true, flushTimeout);
  }

  /** A journal that keeps nothing (no durability). */
  public static Journal discarding() {
    return new Journal(false, Duration.ZERO);
  }

  public boolean isDurable() {
    return durable;
  }

  /** Runs {@code changes} so that everything they append is committed in one transaction. */
  public <T> T atomically(Supplier<T> changes) {
    lock.readLock().lock();
    try {
      return changes.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Appends a state or session record ({@code value == null}: the key is forgotten). */
  public void put(Kind kind, String key, byte[] value) {
    if (durable && failure == null) {
      append(new Entry(Objects.requireNonNull(kind), Objects.requireNonNull(key), value, null, null, null));
    }
  }

  /** Appends an event, encoded as {@code value}, for the events topic. */
  public void event(Event e, byte[] value) {
    event(e, value, null);
  }

  /**
   * Appends an event whose handlers were started already (before its commit); {@code handled} ends
   * when they returned, and goes with the event's place to the {@link CommitWatcher}.
   *
   * @return false when the journal keeps nothing (discarding, or its writer stopped for good)
   */
  public boolean event(Event e, byte[] value, CompletableFuture<Void> handled) {
    if (durable && failure == null) {
      append(new Entry(Kind.EVENT, e.key(), value, e, null, handled));
      return true;
    }
    return false;
  }

  /**
   * Completes once everything appended before this call is committed; at once when nothing commits
   * (discarding journal, or no writer attached yet: the server is not started).
   */
  public CompletableFuture<Void> flush() {
    // The failure first: a writer that stopped (fenced, crashed, closed) also detaches, and a flush then
    // must not report as committed what was dropped.
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (!durable || !writerAttached) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    append(new Entry(null, null, null, null, done, null));
    wake.run();
    return done;
  }

  /**
   * {@link #flush()} and waits for it.
   *
   * @throws GoWorkException UNAVAILABLE when the changes are not committed within the flush timeout
   */
  public void flushAndWait() {
    CompletableFuture<Void> f = flush();
    try {
      f.get(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the state to be committed", e);
    } catch (ExecutionException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, notCommitted(e.getCause()), e);
    } catch (TimeoutException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the state was not committed to Kafka within " + flushTimeout, e);
    }
  }

  /**
   * Why changes were not committed, in words an HTTP client may read: the cause's message, never its
   * class (an internal detail).
   */
  public static String notCommitted(Throwable cause) {
    String why = cause == null ? null : cause.getMessage();
    return "the state could not be committed: " + (why == null || why.isBlank() ? "Kafka refused it" : why);
  }

  /** Takes everything appended so far (whole {@link #atomically} units only). */
  List<Entry> drain() {
    List<Entry> out = new ArrayList<>();
    lock.writeLock().lock();
    try {
      for (Entry e = queue.poll(); e != null; e = queue.poll()) {
        out.add(e);
      }
    } finally {
      lock.writeLock().unlock();
    }
    return out;
  }

  boolean hasPending() {
    return !queue.isEmpty();
  }

  /** Called by the writer after {@code entries} were committed. */
  void committed(List<Entry> entries) {
    for (Entry e : entries) {
      if (e.done() != null) {
        e.done().complete(null);
      }
    }
  }

  void attach(Runnable wakeWriter) {
    wake = Objects.requireNonNull(wakeWriter);
    writerAttached = true;
  }

  /** The writer stopped for good (closed, crashed or fenced): waiters fail, later appends are dropped. */
  void fail(RuntimeException why, List<Entry> unwritten) {
    failure = why;
    writerAttached = false;
    List<Entry> rest = new ArrayList<>(unwritten);
    rest.addAll(drain());
    for (Entry e : rest) {
      if (e.done() != null) {
        e.done().completeExceptionally(why);
      }
    }
  }

  private void append(Entry e) {
    lock.readLock().lock();
    try {
      queue.add(e);
    } finally {
      lock.readLock().unlock();
    }
  }
}
