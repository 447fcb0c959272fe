package dev.gowork.broker.wire;

import java.util.Locale;

/**
 * How an attempt ended, as reported in a result envelope; or {@link #RUNNING}, a notice that an
 * attempt is under way, which ends nothing.
 */
public enum ResultStatus {
  COMPLETED,
  FAILED,
  TIMED_OUT,
  /** Not an outcome: the worker tells that it has been running the attempt for a while. */
  RUNNING;

  /** The wire form: {@code completed}, {@code failed}, {@code timed_out}, {@code running}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire form; {@code null} when unknown. */
  public static ResultStatus fromWire(String s) {
    if (s == null) {
      return null;
    }
    for (ResultStatus v : values()) {
      if (v.wireName().equals(s)) {
        return v;
      }
    }
    return null;
  }
}
