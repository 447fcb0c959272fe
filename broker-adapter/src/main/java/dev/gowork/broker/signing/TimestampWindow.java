package dev.gowork.broker.signing;

import java.time.Duration;
import java.time.Instant;

/**
 * Accepts a signed timestamp only within {@code maxAge} in the past and {@code maxSkew} in the future,
 * so a captured result cannot be replayed later. Replays inside the window are caught by the
 * coordinator's (work id, attempt) check.
 */
public record TimestampWindow(Duration maxAge, Duration maxSkew) {
  /** Five minutes back, thirty seconds ahead. */
  public static TimestampWindow defaults() {
    return new TimestampWindow(Duration.ofMinutes(5), Duration.ofSeconds(30));
  }

  public boolean accepts(long timestampMillis, Instant now) {
    long nowMs = now.toEpochMilli();
    return timestampMillis >= nowMs - maxAge.toMillis() && timestampMillis <= nowMs + maxSkew.toMillis();
  }

  /**
   * Parses the header's decimal string; -1 when malformed. Only the canonical spelling counts (the one
   * {@link Long#toString(long)} gives, which is what is signed: no sign, no leading zeros), so that the
   * signed string and the header are the same string, as the contract says.
   */
  public static long parse(String header) {
    if (header == null || header.isEmpty() || header.length() > 19) {
      return -1;
    }
    try {
      long v = Long.parseLong(header);
      return v >= 0 && Long.toString(v).equals(header) ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
