package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One acquired record and the attempt running for it.
 *
 * <p>Threads: the poll thread owns every plain field. The handler's thread and the producer's
 * callback touch only {@link #settle}, {@link #markStarted} and the volatile fields. Exactly one
 * party settles the record: the handler's thread when it finishes, the poll thread when the deadline
 * grace runs out or the replica shuts down; the loser drops its outcome.
 */
final class Held {
  /** How a held record ends. */
  enum Fate {
    /** A result is (being) written; ACCEPT once durable, RELEASE if the write fails. */
    PUBLISH,
    /** Handed back undone. */
    RELEASE
  }

  final Lane lane;
  final RecordKey key;
  final WorkEnvelope work;
  final int attempt;
  final RunContext context;
  ConsumerRecord<String, byte[]> record;
  Instant lockRefreshedAt;
  boolean cancelSignalled;
  /** An acknowledgement waiting for the record to come back from RENEW. */
  AcknowledgeType deferredAck;
  /** The broker no longer counts this record as ours (a RENEW failed or never came back). */
  boolean lockLost;
  /** The batch that runs this record on a work thread; null until submitted. */
  volatile RunBatch run;
  private volatile Instant startedAt;
  private final AtomicReference<Fate> fate = new AtomicReference<>();

  Held(Lane lane, ConsumerRecord<String, byte[]> record, WorkEnvelope work, int attempt, RunContext context,
      Instant acquiredAt) {
    this.lane = lane;
    this.key = RecordKey.of(record);
    this.record = record;
    this.work = work;
    this.attempt = attempt;
    this.context = context;
    this.lockRefreshedAt = acquiredAt;
  }

  /** True for the one caller that decides the record's fate. */
  boolean settle(Fate f) {
    return fate.compareAndSet(null, f);
  }

  boolean isSettled() {
    return fate.get() != null;
  }

  void markStarted(Instant now) {
    startedAt = now;
  }

  boolean isStarted() {
    return startedAt != null;
  }

  /** When the handler started, or {@code fallback} if it never did. */
  Instant startedAt(Instant fallback) {
    Instant s = startedAt;
    return s == null ? fallback : s;
  }

  @Override
  public String toString() {
    return "work " + work.workId() + " attempt " + attempt + " (" + key + ")";
  }
}
