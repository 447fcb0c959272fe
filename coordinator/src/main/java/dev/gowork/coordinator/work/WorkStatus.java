package dev.gowork.coordinator.work;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A snapshot of one work item, as {@code WorkServer.status(workId)} reports it.
 *
 * @param attempts the current (or last) attempt number, from 1
 * @param result the worker's result once completed, else {@code null}
 * @param error the last error (failed, timed out, dead), else {@code null}
 * @param workerId the worker of the current or last attempt, when known
 * @param deadline past it the work times out
 * @param progress the worker's last progress report while the work is running, else {@code null}
 * @param runAt when work added with a delay is (or was) due to be queued, else {@code null}
 * @param workerName that worker's name (a replica's {@code GOWORK_WORKER_NAME}) while the coordinator's worker
 *     table knows it (its session open, or ended within the hour), else {@code null}; looked up when the
 *     snapshot is taken, never stored with the work
 */
public record WorkStatus(
    String workId,
    String queue,
    WorkState state,
    int attempts,
    int maxAttempts,
    JsonNode result,
    String error,
    String workerId,
    Instant createdAt,
    Instant updatedAt,
    Instant deadline,
    Progress progress,
    Instant runAt,
    String workerName) {

  /** A status without the worker's name (the constructor before names were added). */
  public WorkStatus(String workId, String queue, WorkState state, int attempts, int maxAttempts, JsonNode result,
      String error, String workerId, Instant createdAt, Instant updatedAt, Instant deadline, Progress progress,
      Instant runAt) {
    this(workId, queue, state, attempts, maxAttempts, result, error, workerId, createdAt, updatedAt, deadline,
        progress, runAt, null);
  }
}
