package dev.gowork.coordinator.work;

import java.util.Locale;

/**
 * Where a work item is in its lifecycle. The allowed changes are in {@link Lifecycle}.
 *
 * <pre>
 * QUEUED ──▶ RUNNING ──▶ COMPLETED | FAILED | TIMED_OUT | DEAD
 *   │  ▲        └──────▶ RETRY_WAIT ──▶ QUEUED (next attempt) | TIMED_OUT
 *   │  └── DEAD (requeue)
 *   └──▶ (any outcome of RUNNING: a Kafka worker reports a start only for work that runs a while)
 *
 * QUEUED | RUNNING | RETRY_WAIT ──▶ CANCELLED (on request)
 * SCHEDULED (added with a delay) ──▶ QUEUED when due | TIMED_OUT | CANCELLED
 * </pre>
 */
public enum WorkState {
  /** Published to the queue's topic, not yet known to be running. */
  QUEUED,
  /** Handed to a worker over the coordinator's own {@code get}, or reported running by a Kafka worker. */
  RUNNING,
  /** A worker reported success. Terminal. */
  COMPLETED,
  /** The only attempt failed (maxAttempts 1). Terminal. */
  FAILED,
  /** An attempt failed and another is due after a backoff. */
  RETRY_WAIT,
  /** The deadline passed first. Terminal. */
  TIMED_OUT,
  /** Every attempt failed (maxAttempts above 1); kept as a dead letter, may be requeued. */
  DEAD,
  /** Cancelled on request before it finished. Terminal. */
  CANCELLED,
  /** Added with a delay: kept by the coordinator, published to its queue when due. */
  SCHEDULED;

  /** Lower-case name, e.g. {@code timed_out}, for JSON answers. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
