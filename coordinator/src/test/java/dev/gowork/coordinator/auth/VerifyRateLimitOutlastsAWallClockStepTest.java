package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Five wrong answers for a worker id empty its bucket, which gives one more try every 10 s. The refill
 * is a duration, timed on the monotonic source: it was on the wall clock, so a step back (NTP, a resumed
 * VM) held the refill off by the size of the step (an hour back: the worker locked out for an hour), and
 * a step forward refilled the bucket at once. The challenge's expiry stays on the wall clock.
 */
class VerifyRateLimitOutlastsAWallClockStepTest {
  private static final SharedSecret SECRET = SharedSecret.of("0123456789abcdef0123456789abcdef");
  private static final Duration REFILL = AuthSettings.defaults().workerFailureRefill();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventDispatcher events = new EventDispatcher(clock, new EventLog());
  private final WorkerRegistry registry = new WorkerRegistry(SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  @Test
  void aStepBackDoesNotHoldTheRefillOff() {
    Registration r = limited();
    clock.step(Duration.ofHours(-1));
    clock.advance(REFILL);
    assertEquals(r.workerId(), registry.verify(r.workerId(), answer(r)).workerId(),
        "a token came back after 10 s on the monotonic source");
  }

  @Test
  void aStepForwardDoesNotRefillTheBucket() {
    Registration r = limited();
    clock.step(Duration.ofMinutes(1));
    assertEquals(ErrorCode.RATE_LIMITED, refused(r.workerId(), answer(r)).code(),
        "no time passed on the monotonic source");
    clock.advance(REFILL);
    assertEquals(r.workerId(), registry.verify(r.workerId(), answer(r)).workerId());
  }

  /** A registration whose bucket five wrong answers emptied: even the right answer is refused. */
  private Registration limited() {
    Registration r = registry.register();
    for (int i = 0; i < AuthSettings.defaults().workerFailureBurst(); i++) {
      assertEquals(ErrorCode.UNAUTHENTICATED, refused(r.workerId(), "x").code());
    }
    assertEquals(ErrorCode.RATE_LIMITED, refused(r.workerId(), answer(r)).code());
    return r;
  }

  private static String answer(Registration r) {
    return Signatures.verifyResponse(SECRET, r.workerId(), r.challenge());
  }

  private GoWorkException refused(String workerId, String response) {
    return assertThrows(GoWorkException.class, () -> registry.verify(workerId, response));
  }
}
