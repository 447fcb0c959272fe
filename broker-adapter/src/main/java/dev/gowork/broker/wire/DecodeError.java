package dev.gowork.broker.wire;

import dev.gowork.broker.ErrorCode;

/**
 * Why a record or body could not be decoded. A value, never thrown by the codec, so that one bad
 * record cannot kill a consumer loop.
 */
public record DecodeError(Kind kind, String message) {

  /** The families of decode failure. */
  public enum Kind {
    MALFORMED_JSON(ErrorCode.MALFORMED),
    TOO_LARGE(ErrorCode.TOO_LARGE),
    MISSING_FIELD(ErrorCode.MALFORMED),
    INVALID_FIELD(ErrorCode.MALFORMED),
    UNSUPPORTED_SCHEMA(ErrorCode.UNSUPPORTED_SCHEMA);

    private final ErrorCode code;

    Kind(ErrorCode code) {
      this.code = code;
    }

    public ErrorCode code() {
      return code;
    }
  }
}
