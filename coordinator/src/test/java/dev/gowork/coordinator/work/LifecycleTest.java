package dev.gowork.coordinator.work;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  /** The expected table, written out independently of {@link Lifecycle}: "FROM>TO" for each allowed change. */
  private static final Set<String> ALLOWED = Set.of(
      "QUEUED>RUNNING", "QUEUED>COMPLETED", "QUEUED>FAILED", "QUEUED>RETRY_WAIT", "QUEUED>TIMED_OUT", "QUEUED>DEAD",
      "QUEUED>CANCELLED",
      "RUNNING>COMPLETED", "RUNNING>FAILED", "RUNNING>RETRY_WAIT", "RUNNING>TIMED_OUT", "RUNNING>DEAD",
      "RUNNING>CANCELLED",
      "RETRY_WAIT>QUEUED", "RETRY_WAIT>TIMED_OUT", "RETRY_WAIT>CANCELLED",
      "DEAD>QUEUED",
      "SCHEDULED>QUEUED", "SCHEDULED>TIMED_OUT", "SCHEDULED>CANCELLED");

  @Test
  void everyPairOfStatesIsAllowedExactlyAsTheTableSays() {
    int checked = 0;
    for (WorkState from : WorkState.values()) {
      for (WorkState to : WorkState.values()) {
        assertEquals(ALLOWED.contains(from + ">" + to), Lifecycle.allows(from, to), from + " -> " + to);
        checked++;
      }
    }
    assertEquals(81, checked);
  }

  @Test
  void terminalStatesAreCompletedFailedTimedOutDeadAndCancelled() {
    for (WorkState s : WorkState.values()) {
      boolean terminal = s == WorkState.COMPLETED || s == WorkState.FAILED || s == WorkState.TIMED_OUT
          || s == WorkState.DEAD || s == WorkState.CANCELLED;
      assertEquals(terminal, Lifecycle.isTerminal(s), s.name());
    }
  }

  @Test
  void finishedStatesOtherThanDeadHaveNoWayOut() {
    for (WorkState s : new WorkState[] {WorkState.COMPLETED, WorkState.FAILED, WorkState.TIMED_OUT,
        WorkState.CANCELLED}) {
      for (WorkState to : WorkState.values()) {
        assertEquals(false, Lifecycle.allows(s, to), s + " -> " + to);
      }
    }
  }
}
