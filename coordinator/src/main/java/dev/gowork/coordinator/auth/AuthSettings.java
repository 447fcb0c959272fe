package dev.gowork.coordinator.auth;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.time.Duration;

/**
 * Limits of the handshake.
 *
 * @param sessionTtl how long a session lasts (default 1 h)
 * @param challengeTtl how long a challenge may be answered (default 5 min)
 * @param workerFailureBurst failed verifications allowed per worker id before {@code RATE_LIMITED} (default 5)
 * @param workerFailureRefill one more allowed failure per worker id per this period (default 10 s)
 * @param globalFailureBurst failed verifications reported as {@code worker_verify_error} events in a burst
 *     (default 100); beyond it and its refill, a flood of failures is refused without an event each
 * @param globalFailureRefill one more reported failure per this period (default 100 ms)
 * @param maxWorkers verified workers kept at most (default 100,000), and as many unanswered
 *     registrations (beyond that the oldest is dropped; its worker can still verify)
 */
public record AuthSettings(Duration sessionTtl, Duration challengeTtl, int workerFailureBurst,
    Duration workerFailureRefill, int globalFailureBurst, Duration globalFailureRefill, int maxWorkers) {

  public AuthSettings {
    positive(sessionTtl, "sessionTtl");
    positive(challengeTtl, "challengeTtl");
    positive(workerFailureRefill, "workerFailureRefill");
    positive(globalFailureRefill, "globalFailureRefill");
    if (workerFailureBurst < 1 || globalFailureBurst < 1 || maxWorkers < 1) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          "workerFailureBurst, globalFailureBurst and maxWorkers must be at least 1");
    }
  }

  public static AuthSettings defaults() {
    return new AuthSettings(Duration.ofHours(1), Duration.ofMinutes(5), 5, Duration.ofSeconds(10), 100,
        Duration.ofMillis(100), 100_000);
  }

  public AuthSettings withSessionTtl(Duration ttl) {
    return new AuthSettings(ttl, challengeTtl, workerFailureBurst, workerFailureRefill, globalFailureBurst,
        globalFailureRefill, maxWorkers);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, name + " must be a positive duration, was " + d);
    }
  }
}
