package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Instant LATER = NOW.plusSeconds(3600);

  @Test
  void aRunningReplicaWithAValidSessionIsLiveAndReady() {
    assertEquals(new Health(true, true, "ok"),
        Health.judge(false, false, Optional.empty(), Duration.ZERO, true, LATER));
  }

  @Test
  void aStalledLoopIsNotLiveOnlyPastTheLimit() {
    assertTrue(Health.judge(false, false, Optional.empty(), Health.STALL_LIMIT, true, LATER).live());
    Health stalled = Health.judge(false, false, Optional.empty(), Health.STALL_LIMIT.plusSeconds(1), true, LATER);
    assertFalse(stalled.live());
    assertFalse(stalled.ready());
    assertEquals("the consume loop has not turned for 181 s (limit 180 s)", stalled.reason());
  }

  @Test
  void aFailedLoopIsNotLiveAndKeepsTheErrorsTextForTheLog() {
    Health h = Health.judge(false, false,
        Optional.of(new IllegalStateException("not authorized to access topic secret.work on broker-7:9093")),
        Duration.ZERO, true, LATER);
    assertFalse(h.live());
    assertEquals("the consume loop stopped on an error (see the replica's log)", h.reason());
  }

  @Test
  void drainingIsLiveButNotReadyAndStoppedIsNeither() {
    assertEquals(new Health(true, false, "draining for shutdown"),
        Health.judge(true, false, Optional.empty(), Duration.ZERO, true, LATER));
    assertEquals(new Health(false, false, "stopped"),
        Health.judge(true, true, Optional.empty(), Duration.ZERO, true, LATER));
  }

  @Test
  void anExpiredSessionIsLiveButNotReady() {
    Health h = Health.judge(false, false, Optional.empty(), Duration.ZERO, false, NOW.minusSeconds(5));
    assertTrue(h.live());
    assertFalse(h.ready());
    assertEquals("the session expired at 2026-11-29T11:59:55Z; taking no work until it is renewed", h.reason());
  }

  @Test
  void aStartingReplicaIsLiveButNotReady() {
    assertTrue(Health.starting().live());
    assertFalse(Health.starting().ready());
  }

  @Test
  void aReplicaWhoseEverySlotTheShareGroupRefusedIsLiveButNotReady() {
    Health h = Health.judge(false, false, Optional.empty(), Duration.ZERO, true, LATER, 3, 3);
    assertTrue(h.live());
    assertFalse(h.ready());
    assertTrue(h.reason().contains("share group is full") && h.reason().contains("group.share.max.size"), h.reason());
  }

  @Test
  void aReplicaWithSomeSlotsRefusedIsReadyAndSaysHowManyTakeWork() {
    Health h = Health.judge(false, false, Optional.empty(), Duration.ZERO, true, LATER, 3, 1);
    assertTrue(h.ready());
    assertTrue(h.reason().startsWith("ok, with 2 of 3 slots"), h.reason());
  }
}
