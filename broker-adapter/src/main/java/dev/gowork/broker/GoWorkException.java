package dev.gowork.broker;

import java.util.Objects;

/**
 * The root of every error GoWork raises. Unchecked, and carrying a stable {@link ErrorCode} that the
 * HTTP service maps to a status and a JSON {@code {"error": ..., "code": ...}} body.
 */
public class GoWorkException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public GoWorkException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public GoWorkException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The stable error code; part of the HTTP contract. */
  public ErrorCode code() {
    return code;
  }

  /** The class, the code and the message, e.g. {@code GoWorkException[unavailable]: Kafka did not answer}. */
  @Override
  public String toString() {
    return getClass().getName() + "[" + code.wireName() + "]: " + getMessage();
  }
}
