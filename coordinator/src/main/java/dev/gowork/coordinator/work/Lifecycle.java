package dev.gowork.coordinator.work;

import static dev.gowork.coordinator.work.WorkState.CANCELLED;
import static dev.gowork.coordinator.work.WorkState.COMPLETED;
import static dev.gowork.coordinator.work.WorkState.DEAD;
import static dev.gowork.coordinator.work.WorkState.FAILED;
import static dev.gowork.coordinator.work.WorkState.QUEUED;
import static dev.gowork.coordinator.work.WorkState.RETRY_WAIT;
import static dev.gowork.coordinator.work.WorkState.RUNNING;
import static dev.gowork.coordinator.work.WorkState.SCHEDULED;
import static dev.gowork.coordinator.work.WorkState.TIMED_OUT;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one table of allowed state changes. Every change of a work item's state goes through
 * {@link #allows}; a terminal event fires only when its change is allowed, which happens once.
 */
public final class Lifecycle {
  private static final Map<WorkState, Set<WorkState>> NEXT = new EnumMap<>(WorkState.class);

  static {
    NEXT.put(QUEUED, EnumSet.of(RUNNING, COMPLETED, FAILED, RETRY_WAIT, TIMED_OUT, DEAD, CANCELLED));
    NEXT.put(RUNNING, EnumSet.of(COMPLETED, FAILED, RETRY_WAIT, TIMED_OUT, DEAD, CANCELLED));
    NEXT.put(RETRY_WAIT, EnumSet.of(QUEUED, TIMED_OUT, CANCELLED));
    NEXT.put(DEAD, EnumSet.of(QUEUED));
    NEXT.put(COMPLETED, EnumSet.noneOf(WorkState.class));
    NEXT.put(FAILED, EnumSet.noneOf(WorkState.class));
    NEXT.put(TIMED_OUT, EnumSet.noneOf(WorkState.class));
    NEXT.put(CANCELLED, EnumSet.noneOf(WorkState.class));
    NEXT.put(SCHEDULED, EnumSet.of(QUEUED, TIMED_OUT, CANCELLED));
  }

  private Lifecycle() {}

  /** True when a work item may go from {@code from} to {@code to}. */
  public static boolean allows(WorkState from, WorkState to) {
    return NEXT.get(from).contains(to);
  }

  /** True for states that end the work: completed, failed, timed out, dead, cancelled. */
  public static boolean isTerminal(WorkState s) {
    return s == COMPLETED || s == FAILED || s == TIMED_OUT || s == DEAD || s == CANCELLED;
  }
}
