package dev.gowork.broker.wire;

import java.time.Instant;
import java.util.Objects;

/**
 * One lifecycle event, as handlers receive it and as {@code <p>.events} carries it:
 * {@code {"schema":"gowork.event/v1","id","type","time","queue","workId","workerId","workerName","attempt",
 * "maxAttempts","durationMs","error"}}.
 * Fields that do not apply are {@code null} (absent on the wire). The field set only grows by addition.
 *
 * @param id a random UUID, unique per event
 * @param type the event id
 * @param workerName the name the worker gave when it registered ({@link WorkerNameRule}), when the
 *     coordinator knows it, or {@code null}: informative only, never an identity
 * @param attempt the attempt number, or {@code null}
 * @param maxAttempts for work events, the attempts the work may have (a {@code work_failed} with
 *     {@code attempt >= maxAttempts} ended the work), or {@code null}
 * @param durationMs for terminal events, milliseconds from add to the event, or {@code null}
 */
public record Event(
    String id,
    EventType type,
    Instant time,
    String queue,
    String workId,
    String workerId,
    String workerName,
    Integer attempt,
    Integer maxAttempts,
    Long durationMs,
    String error) {

  public static final String SCHEMA = "gowork.event/v1";

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
  }

  /** An event without {@code workerName}. */
  public Event(String id, EventType type, Instant time, String queue, String workId, String workerId, Integer attempt,
      Integer maxAttempts, Long durationMs, String error) {
    this(id, type, time, queue, workId, workerId, null, attempt, maxAttempts, durationMs, error);
  }

  /** An event without {@code maxAttempts} (worker events, and work events written before it existed). */
  public Event(String id, EventType type, Instant time, String queue, String workId, String workerId, Integer attempt,
      Long durationMs, String error) {
    this(id, type, time, queue, workId, workerId, null, attempt, null, durationMs, error);
  }

  /** The Kafka key: the work id, or the worker id for worker events. */
  public String key() {
    return workId != null ? workId : workerId;
  }
}
