package dev.gowork.broker;

/** Stable error codes. Each maps to one HTTP status; the lower-case name is the wire form. */
public enum ErrorCode {
  /** A setting or argument is invalid (names the setting). */
  INVALID_ARGUMENT(400),
  /** A request or record is not well-formed JSON, is too large, or lacks a field. */
  MALFORMED(400),
  /** A schema version this build does not understand. */
  UNSUPPORTED_SCHEMA(400),
  /** Missing or wrong credentials. Reveals nothing else. */
  UNAUTHENTICATED(401),
  /** Authenticated, but not allowed (e.g. expired session, revoked worker). */
  FORBIDDEN(403),
  /** No such work, worker or queue. */
  NOT_FOUND(404),
  /** The operation conflicts with the current state (e.g. handler already registered, work already terminal). */
  CONFLICT(409),
  /** The request body is over its size limit. */
  TOO_LARGE(413),
  /** Too many attempts (e.g. failed verifications); retry later. */
  RATE_LIMITED(429),
  /** The work's deadline has passed. */
  TIMED_OUT(410),
  /** Kafka or another dependency is not answering. */
  UNAVAILABLE(503),
  /** A bug: never carries internal detail to a client. */
  INTERNAL(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The wire form, e.g. {@code "invalid_argument"}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
