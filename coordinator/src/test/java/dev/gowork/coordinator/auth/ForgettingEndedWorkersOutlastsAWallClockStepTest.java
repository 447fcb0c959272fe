package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker whose session ended is listed for an hour, then forgotten. That hour is a duration, timed on
 * the monotonic source: it was on the wall clock, so a step back (NTP, a resumed VM) kept ended workers
 * for the size of the step longer (they count toward {@code maxWorkers}), and a step forward forgot them
 * at once. Session expiry stays on the wall clock (it is in the session record other coordinators read).
 */
class ForgettingEndedWorkersOutlastsAWallClockStepTest {
  private static final SharedSecret SECRET = SharedSecret.of("0123456789abcdef0123456789abcdef");
  private static final Duration KEPT = Duration.ofHours(1);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventDispatcher events = new EventDispatcher(clock, new EventLog());
  private final WorkerRegistry registry = new WorkerRegistry(SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  @Test
  void aStepBackDoesNotKeepAnEndedWorkerLonger() {
    revokedWorker();
    clock.step(Duration.ofHours(-2));
    clock.advance(KEPT.plusSeconds(1));
    registry.expireSessions();
    assertTrue(registry.list().isEmpty(), "forgotten an hour after its session ended: " + registry.list());
  }

  @Test
  void aStepForwardDoesNotForgetAnEndedWorkerEarly() {
    revokedWorker();
    clock.step(Duration.ofHours(2));
    registry.expireSessions();
    assertEquals(List.of(WorkerState.REVOKED), states(), "kept: no time passed on the monotonic source");
    clock.advance(KEPT.plusSeconds(1));
    registry.expireSessions();
    assertTrue(registry.list().isEmpty());
  }

  private void revokedWorker() {
    Registration r = registry.register();
    registry.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    registry.revoke(r.workerId());
    registry.expireSessions();
    assertEquals(List.of(WorkerState.REVOKED), states());
  }

  private List<WorkerState> states() {
    return registry.list().stream().map(WorkerSummary::state).toList();
  }
}
