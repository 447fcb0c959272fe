package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusedSlotsTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = -7 * S; // monotonic readings may be negative

  private final RefusedSlots slots = new RefusedSlots(3, Duration.ofSeconds(30), Duration.ofSeconds(10));

  @Test
  void onlyTheFirstRefusalOfAnEpisodeIsNews() {
    assertTrue(slots.refused(2, T0));
    assertFalse(slots.refused(1, T0));
    assertFalse(slots.refused(2, T0 + S));
    assertEquals(2, slots.count());
  }

  @Test
  void aRefusedSlotTriesAgainAfterTheIntervalOneAtATime() {
    slots.refused(1, T0);
    slots.refused(2, T0);
    assertEquals(-1, slots.dueForRetry(T0 + 29 * S));
    assertEquals(1, slots.dueForRetry(T0 + 30 * S));
    slots.retrying(1, T0 + 30 * S);
    assertEquals(-1, slots.dueForRetry(T0 + 31 * S), "slot 2 waits while slot 1 tries");
    assertEquals(2, slots.count(), "a slot trying again is not counted in yet");
  }

  @Test
  void aSlotTryingAgainIsCountedInOnceItGoesUnrefusedOrTakesWork() {
    slots.refused(0, T0);
    slots.refused(1, T0);
    slots.retrying(0, T0 + 30 * S);
    assertEquals(List.of(), slots.confirm(T0 + 39 * S));
    assertEquals(List.of(0), slots.confirm(T0 + 40 * S));
    assertEquals(RefusedSlots.State.IN, slots.state(0));
    assertEquals(1, slots.dueForRetry(T0 + 40 * S));
    slots.retrying(1, T0 + 40 * S);
    assertTrue(slots.tookWork(1));
    assertFalse(slots.tookWork(1));
    assertEquals(0, slots.count());
  }

  @Test
  void aSlotRefusedAgainWaitsAnotherIntervalAndIsNoNews() {
    slots.refused(0, T0);
    slots.retrying(0, T0 + 30 * S);
    assertFalse(slots.refused(0, T0 + 31 * S));
    assertEquals(-1, slots.dueForRetry(T0 + 60 * S));
    assertEquals(0, slots.dueForRetry(T0 + 61 * S));
    assertEquals(List.of(), slots.confirm(T0 + 100 * S), "a refused slot is not counted in by time alone");
  }

  @Test
  void aRefusedRetryPutsEveryRefusedSlotOffAnotherInterval() {
    slots.refused(0, T0);
    slots.refused(1, T0);
    slots.refused(2, T0);
    slots.retrying(0, T0 + 30 * S);
    slots.refused(0, T0 + 31 * S);
    // The group is still full: the other slots trying at once, one after another, cost the broker a
    // join and the log two errors each, every interval.
    assertEquals(-1, slots.dueForRetry(T0 + 31 * S), "slot 1 waits an interval after slot 0 was refused again");
    assertEquals(-1, slots.dueForRetry(T0 + 60 * S));
    assertEquals(0, slots.dueForRetry(T0 + 61 * S));
    slots.retrying(0, T0 + 61 * S);
    assertEquals(List.of(0), slots.confirm(T0 + 71 * S));
    assertEquals(1, slots.dueForRetry(T0 + 71 * S), "once one got in, the next tries at once");
  }
}
