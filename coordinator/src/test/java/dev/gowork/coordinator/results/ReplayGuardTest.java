package dev.gowork.coordinator.results;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which (work id, attempt) pairs the guard refuses as replays. */
class ReplayGuardTest {
  /** The creation time of the work the pairs belong to. */
  private static final long T0 = 1_764_000_000_000L;

  @Test
  void aPairIsRefusedTheSecondTimeUnlessItsRefusedResultWasTakenBack() {
    ReplayGuard guard = new ReplayGuard(10);
    assertTrue(guard.firstTime("a", 1, 0, T0));
    assertFalse(guard.firstTime("a", 1, 0, T0), "a replay");
    assertTrue(guard.firstTime("a", 2, 0, T0), "the next attempt");
    guard.forget("a", 2);
    assertTrue(guard.firstTime("a", 2, 0, T0), "taken back after a refusal");
  }

  @Test
  void losingAPartitionForgetsItsPairsOnlyAndTheOthersAreStillRefused() {
    ReplayGuard guard = new ReplayGuard(10);
    guard.firstTime("lost", 1, 0, T0);
    guard.firstTime("kept", 1, 1, T0);
    guard.forgetPartitions(List.of(0));
    assertFalse(guard.firstTime("kept", 1, 1, T0), "a replay on a partition still held");
    assertTrue(guard.firstTime("lost", 1, 0, T0), "decided elsewhere since the partition was lost");
  }

  @Test
  void theOldestPairGoesFirstPastTheBound() {
    ReplayGuard guard = new ReplayGuard(2);
    guard.firstTime("a", 1, 0, T0);
    guard.firstTime("b", 1, 0, T0);
    guard.firstTime("c", 1, 0, T0);
    assertFalse(guard.firstTime("c", 1, 0, T0));
    assertTrue(guard.firstTime("a", 1, 0, T0), "evicted");
  }

  @Test
  void aWorkIdAddedAgainAfterItsItemWasForgottenIsNewWorkNotAReplay() {
    ReplayGuard guard = new ReplayGuard(10);
    assertTrue(guard.firstTime("order-7", 1, 0, T0));
    long addedAgain = T0 + 3_600_000;
    assertTrue(guard.firstTime("order-7", 1, 0, addedAgain), "the first result of the new item");
    assertFalse(guard.firstTime("order-7", 1, 0, addedAgain), "a replay of the new item's result");
  }
}
