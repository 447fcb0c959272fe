package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.schedule.ReadBack;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.Schedules;
import dev.gowork.coordinator.state.Journal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** ScheduleChanges' checks before anything is written; no Kafka: what is refused reaches neither it nor the journal. */
class ScheduleChangesTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  /**
   * A schedule refused because {@value Schedules#MAX_SCHEDULES} exist must not create its queue first:
   * a new queue is a topic and a share group on the cluster, made for nothing.
   */
  @Test
  void aScheduleRefusedByTheScheduleLimitDoesNotPrepareItsQueue() {
    Schedules schedules = new Schedules(Journal.discarding());
    for (int i = 0; i < Schedules.MAX_SCHEDULES; i++) {
      ReadBack.defined(schedules, Schedule.every("s" + i, Duration.ofHours(1), null, 60), NOW);
    }
    List<String> prepared = new CopyOnWriteArrayList<>();
    ScheduleChanges changes = new ScheduleChanges(schedules, w -> { }, prepared::add, Journal.discarding(),
        Clock.fixed(NOW, ZoneOffset.UTC), "p.schedules", Duration.ofSeconds(1));

    GoWorkException e = assertThrows(GoWorkException.class, () -> changes.define(
        Schedule.every("one-more", Duration.ofHours(1), null, 60).withQueue("reports")));
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertTrue(e.getMessage().contains("schedules, the most one prefix may have"), e.getMessage());
    assertEquals(List.of(), prepared, "no queue prepared for a schedule refused");
  }
}
