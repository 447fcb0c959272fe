package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Work as a worker sees it: the value of {@code <p>.work.<queue>} records and the answer of
 * {@code POST /v1/work/next}. JSON: {@code {"schema":"gowork.work/v1","workId","queue","attempt",
 * "maxAttempts","timeoutSeconds","data","createdAt","deadline"}} with ISO-8601 UTC times.
 *
 * @param attempt 1 for the first delivery; a retry published by the coordinator carries the next number
 */
public record WorkEnvelope(
    String workId,
    String queue,
    int attempt,
    int maxAttempts,
    long timeoutSeconds,
    JsonNode data,
    Instant createdAt,
    Instant deadline) {

  public static final String SCHEMA = "gowork.work/v1";

  public WorkEnvelope {
    Objects.requireNonNull(workId, "workId");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** True once {@code now} is at or past the deadline. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(deadline);
  }

  /** Time left before the deadline (zero or positive). */
  public Duration remaining(Instant now) {
    Duration d = Duration.between(now, deadline);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** The same work, as delivered for another attempt. */
  public WorkEnvelope withAttempt(int nextAttempt) {
    return new WorkEnvelope(workId, queue, nextAttempt, maxAttempts, timeoutSeconds, data, createdAt, deadline);
  }
}
