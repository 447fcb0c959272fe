package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One acquired record and the attempt running for it.
 *
 * <p>Threads: the poll thread owns every plain field. The handler's thread and the producer's
 * callback touch only {@link #settle}, {@link #start} and the volatile fields. Exactly one party
 * settles the record: the handler's thread when it finishes, the poll thread when the deadline grace
 * runs out or the replica shuts down; the loser drops its outcome. Starting the handler and releasing
 * a record that has not started are one atomic step each on the same state, so a record is never
 * released while its handler runs.
 */
final class Held {
  /** How a held record ends. */
  enum Fate {
    /** A result is (being) written; ACCEPT once durable, RELEASE if the write fails. */
    PUBLISH,
    /** Handed back undone. */
    RELEASE,
    /** The work was cancelled: not run, or its outcome dropped; ACCEPTed with no result. */
    DROP
  }

  private static final Object NEW = "new";
  private static final Object STARTED = "started";

  final Lane lane;
  final RecordKey key;
  final WorkEnvelope work;
  final int attempt;
  final RunContext context;
  ConsumerRecord<String, byte[]> record;
  /**
   * When the broker last gave or extended this record's lock, on the replica's monotonic nanoTime
   * ({@link System#nanoTime}): the lock is a duration from then, which a wall-clock step must not move.
   */
  long lockRefreshedNanos;
  /** The poll thread signalled the handler that the deadline has come. */
  boolean cancelSignalled;
  /** When it did, on the monotonic nanoTime (the grace before the interrupt runs from then). */
  long cancelSignalledNanos;
  /** An acknowledgement waiting for the record to come back from RENEW. */
  AcknowledgeType deferredAck;
  /** The broker no longer counts this record as ours (a RENEW failed or never came back). */
  boolean lockLost;
  /** The coordinator was told that this attempt runs ({@code running} notice sent). */
  boolean announced;
  /** When the last {@code running} notice was sent, on the monotonic nanoTime; set once {@link #announced}. */
  long announcedNanos;
  /** The poll thread signalled the handler that the work was cancelled. */
  boolean cancelled;
  /** When it did, on the monotonic nanoTime (the cancel grace runs from then); set once {@link #cancelled}. */
  long cancelledNanos;
  /** The batch that runs this record on a work thread; null until submitted. */
  volatile RunBatch run;
  /** When the handler started, on the monotonic nanoTime; set before {@link #started}. */
  private volatile long startedNanos;
  private volatile boolean started;
  /** {@link #NEW}, {@link #STARTED}, or the {@link Fate} once settled. */
  private final AtomicReference<Object> state = new AtomicReference<>(NEW);

  Held(Lane lane, ConsumerRecord<String, byte[]> record, WorkEnvelope work, int attempt, RunContext context,
      long acquiredNanos) {
    this.lane = lane;
    this.key = RecordKey.of(record);
    this.record = record;
    this.work = work;
    this.attempt = attempt;
    this.context = context;
    this.lockRefreshedNanos = acquiredNanos;
  }

  /**
   * How long after {@code nowNanos} (same source as {@link #lockRefreshedNanos}) half of {@code lock}
   * will have passed since the lock was last refreshed: zero or less once it is time to renew it.
   */
  Duration untilHalfLock(Duration lock, long nowNanos) {
    return lock.dividedBy(2).minusNanos(nowNanos - lockRefreshedNanos);
  }

  /** True once half of {@code lock} has passed since the lock was last refreshed (see {@link #untilHalfLock}). */
  boolean halfLockPassed(Duration lock, long nowNanos) {
    return untilHalfLock(lock, nowNanos).compareTo(Duration.ZERO) <= 0;
  }

  /** True for the one caller that decides the record's fate (started or not). */
  boolean settle(Fate f) {
    while (true) {
      Object s = state.get();
      if (s instanceof Fate) {
        return false;
      }
      if (state.compareAndSet(s, f)) {
        return true;
      }
    }
  }

  /** Settles as {@link Fate#RELEASE} only if the handler has not started: true when it did. */
  boolean releaseIfUnstarted() {
    return state.compareAndSet(NEW, Fate.RELEASE);
  }

  boolean isSettled() {
    return state.get() instanceof Fate;
  }

  /**
   * Marks the handler started at {@code nowNanos} on the replica's monotonic nanoTime (work thread):
   * false when the record was settled first, and must not run.
   */
  boolean start(long nowNanos) {
    if (state.compareAndSet(NEW, STARTED)) {
      startedNanos = nowNanos;
      started = true;
      return true;
    }
    return false;
  }

  /** True once the handler has started (it may have ended since). */
  boolean started() {
    return started;
  }

  /**
   * How long the handler has run at {@code nowNanos} (same source as {@link #start}): zero if it has
   * not started, never negative (a round that read the time before the handler started).
   */
  Duration ranFor(long nowNanos) {
    return started ? Duration.ofNanos(Math.max(0, nowNanos - startedNanos)) : Duration.ZERO;
  }

  @Override
  public String toString() {
    return "work " + work.workId() + " attempt " + attempt + " (" + key + ")";
  }
}
