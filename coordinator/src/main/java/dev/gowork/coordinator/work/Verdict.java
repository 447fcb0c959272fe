package dev.gowork.coordinator.work;

/**
 * What became of a reported outcome: accepted (with the state it led to) or refused with a reason.
 *
 * @param state the new state when accepted, else the unchanged one (null for unknown work)
 * @param rejection why it was refused, or {@code null} when accepted
 */
public record Verdict(WorkState state, String rejection) {

  static Verdict accepted(WorkState state) {
    return new Verdict(state, null);
  }

  static Verdict refused(WorkState state, String reason) {
    return new Verdict(state, reason);
  }

  public boolean accepted() {
    return rejection == null;
  }

  /** True when the work waits for another attempt (the caller schedules the republication). */
  public boolean retry() {
    return accepted() && state == WorkState.RETRY_WAIT;
  }
}
