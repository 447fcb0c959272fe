package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;

/**
 * A call refused because the work server is closing or closed (UNAVAILABLE; over HTTP a 503 with
 * {@code Retry-After}): nothing was changed or taken for it. Not a failure: the HTTP service counts
 * these and logs the count once as it closes, where a failure gets a warning each.
 */
public final class ClosingException extends GoWorkException {
  private static final long serialVersionUID = 1L;

  ClosingException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }

  /** The refusal of a call made while the server closes. */
  static ClosingException closing() {
    return new ClosingException("the work server is closing: ask again shortly");
  }
}
