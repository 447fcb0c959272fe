package dev.gowork.coordinator.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * A schedule as the coordinators know it: its definition, when it was defined, its last run (null
 * before the first) with the id of the work that run added, and its next run (null when none is left).
 */
public record ScheduleStatus(Schedule schedule, Instant definedAt, Instant lastRunAt, String lastWorkId,
    Instant nextRunAt) {
  public ScheduleStatus {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(definedAt, "definedAt");
  }
}
