package dev.gowork.coordinator.schedule;

import java.time.Instant;

/** Schedules as a coordinator knows them once read back from {@code <p>.schedules}, for tests of other packages. */
public final class ReadBack {
  private ReadBack() {}

  /** Applies the definition of {@code s} to {@code book}, as if read back. */
  public static void defined(Schedules book, Schedule s, Instant definedAt) {
    book.apply(ScheduleRecords.DEFINITION + s.name(), ScheduleRecords.definition(s, definedAt));
  }

  /** Applies the deletion of schedule {@code name} to {@code book}, as if read back. */
  public static void deleted(Schedules book, String name) {
    book.apply(ScheduleRecords.DEFINITION + name, null);
  }
}
