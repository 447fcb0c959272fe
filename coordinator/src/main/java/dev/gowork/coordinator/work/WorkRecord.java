package dev.gowork.coordinator.work;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.wire.WireCodec;
import java.time.Instant;

/**
 * The state of one work item, kept small (about 80 bytes plus the id) so that a million in-flight
 * items fit well under 512 MiB: ids, ints and epoch milliseconds, never the payload. Guarded by its
 * own monitor; {@link WorkTable} changes it only inside {@code synchronized (record)}.
 */
final class WorkRecord {
  final String workId;
  final String queue;
  final long createdAt;
  final int timeoutSeconds;
  long deadline;
  long updatedAt;
  WorkState state = WorkState.QUEUED;
  int attempt;
  int maxAttempts;
  int partition = -1;
  long offset = -1;
  String workerId;
  /** True from a retry's (or requeue's) move back to QUEUED until its republication was acknowledged. */
  boolean republishPending;
  /** The result as JSON bytes when completed, else the last error message, else null. */
  Object outcome;
  /** The worker's last progress report while RUNNING, else null. */
  Progress progress;
  /**
   * True while RUNNING when the attempt was handed out over HTTP (to {@link #workerId}): its record was
   * ACCEPTed by a coordinator, so no later attempt can exist until this one ends.
   */
  boolean handedOut;
  /** The signed time (epoch ms) of the running notice last applied to the current attempt, else -1. */
  long noticeAt = -1;
  /** When work added with a delay is due to be queued (epoch ms), else -1. */
  long runAt = -1;
  /** True when its first publication is on {@code <p>.scheduled} (added with a delay). */
  boolean parked;

  WorkRecord(String workId, String queue, long createdAt, long deadline, int timeoutSeconds, int attempt,
      int maxAttempts) {
    this.workId = workId;
    this.queue = queue;
    this.createdAt = createdAt;
    this.deadline = deadline;
    this.timeoutSeconds = timeoutSeconds;
    this.attempt = attempt;
    this.maxAttempts = maxAttempts;
    this.updatedAt = createdAt;
  }

  /** Moves to {@code next} when the lifecycle allows it; false (and no change) otherwise. */
  boolean moveTo(WorkState next, long now) {
    if (!Lifecycle.allows(state, next)) {
      return false;
    }
    state = next;
    updatedAt = now;
    progress = null;
    handedOut = false;
    noticeAt = -1;
    return true;
  }

  /**
   * Since when (epoch ms) it has waited to run, for its queue's latency; {@link Long#MAX_VALUE} while it cannot
   * run (running, waiting to retry, finished). QUEUED: since it was queued, {@link #updatedAt}, which only a
   * change of state sets while it stays queued (a retry or requeue queues it again, with a new attempt); but its
   * run time when added with a delay and still on its first attempt, since its release to the queue can lag
   * that. SCHEDULED: its run time, still to come until it is due.
   */
  long waitingSince() {
    return switch (state) {
      case QUEUED -> runAt >= 0 && attempt == 1 ? Math.min(runAt, updatedAt) : updatedAt;
      case SCHEDULED -> runAt;
      default -> Long.MAX_VALUE;
    };
  }

  boolean expiredAt(long now) {
    return now >= deadline;
  }

  WorkRef ref() {
    return new WorkRef(workId, queue, partition, offset, attempt, maxAttempts, Instant.ofEpochMilli(deadline), parked);
  }

  /** A snapshot, with {@code workerName} the name of {@link #workerId} (null for none). */
  WorkStatus status(WireCodec codec, String workerName) {
    JsonNode result = null;
    String error = null;
    if (outcome instanceof byte[] bytes) {
      result = codec.parse(bytes).value();
    } else if (outcome instanceof String s) {
      error = s;
    }
    return new WorkStatus(workId, queue, state, attempt, maxAttempts, result, error, workerId,
        Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(updatedAt), Instant.ofEpochMilli(deadline),
        state == WorkState.RUNNING ? progress : null, runAt < 0 ? null : Instant.ofEpochMilli(runAt), workerName);
  }
}
