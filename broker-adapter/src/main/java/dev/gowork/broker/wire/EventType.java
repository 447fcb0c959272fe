package dev.gowork.broker.wire;

/**
 * Every event id. The first ten are the seed's; the rest follow the work lifecycle (README, "Work lifecycle and events").
 * The wire form ({@link #id()}) is what handlers are registered under and what the events topic carries.
 */
public enum EventType {
  ADD_HANDLER_ERROR("add_handler_error"),
  ADD_WORK("add_work"),
  GET_WORK("get_work"),
  GET_WORK_EMPTY("get_work_empty"),
  GET_WORK_ERROR("get_work_error"),
  WORK_COMPLETE("work_complete"),
  WORK_TIMEOUT("work_timeout"),
  WORKER_REGISTERED("worker_registered"),
  WORKER_VERIFY("worker_verify"),
  WORKER_VERIFY_ERROR("worker_verify_error"),
  /** A worker fetched the work over HTTP ({@code POST /v1/work/next}), or a Kafka worker reported it running. */
  WORK_STARTED("work_started"),
  /** An attempt failed; followed by {@link #WORK_RETRY} or {@link #WORK_DEAD}, or terminal when maxAttempts is 1. */
  WORK_FAILED("work_failed"),
  /** The work was queued again for another attempt. */
  WORK_RETRY("work_retry"),
  /** All attempts failed; the work is in the dead-letter list. */
  WORK_DEAD("work_dead"),
  /** A result was refused (bad signature, unknown or expired session, replay, stale attempt, late). */
  RESULT_REJECTED("result_rejected"),
  /** A worker's session expired or was revoked. */
  WORKER_EXPIRED("worker_expired"),
  /** A record on a GoWork topic could not be decoded; it was reported and skipped. */
  RECORD_REJECTED("record_rejected"),
  /** The work was cancelled on request before it finished. Terminal. */
  WORK_CANCELLED("work_cancelled");

  private final String id;

  EventType(String id) {
    this.id = id;
  }

  /** The wire id, e.g. {@code work_complete}. */
  public String id() {
    return id;
  }

  /** True for the ten ids of the original GoWork. */
  public boolean isSeed() {
    return ordinal() <= WORKER_VERIFY_ERROR.ordinal();
  }

  /** Looks up a wire id; {@code null} when unknown. */
  public static EventType fromId(String id) {
    for (EventType t : values()) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    return null;
  }
}
