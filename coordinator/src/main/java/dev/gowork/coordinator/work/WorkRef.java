package dev.gowork.coordinator.work;

import java.time.Instant;

/**
 * Where a work item's record sits in its queue's topic, and what its next publication carries.
 * The payload is not kept in memory: a retry re-reads it from {@code (partition, offset)}.
 *
 * @param partition the partition of the first publication, or -1 before the broker acknowledged it
 * @param offset its offset, or -1
 * @param parked true when that first publication is on {@code <p>.scheduled} (work added with a delay),
 *     not on the queue's topic
 */
public record WorkRef(String workId, String queue, int partition, long offset, int attempt, int maxAttempts,
    Instant deadline, boolean parked) {

  public boolean located() {
    return partition >= 0 && offset >= 0;
  }
}
