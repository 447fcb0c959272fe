package dev.gowork.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.coordinator.state.Journal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which runs are due, as a function of the records read and the time; no Kafka, no clock. */
class SchedulesTest {
  private static final Instant DEFINED = Instant.parse("2026-12-07T10:00:30Z");
  private final Schedules book = new Schedules(Journal.discarding());
  private final Schedule minutely = Schedule.every("minutely", Duration.ofMinutes(1), null, 30);

  @Test
  void aNewScheduleRunsFirstAtItsFirstTimeAfterItWasDefined() {
    define(minutely, DEFINED);
    assertEquals(List.of(), book.due(DEFINED.plusSeconds(29), name -> true));
    assertEquals(Instant.parse("2026-12-07T10:01:00Z"), book.get("minutely", DEFINED).orElseThrow().nextRunAt());
    List<Schedules.Due> due = book.due(Instant.parse("2026-12-07T10:01:00.2Z"), name -> true);
    assertEquals(List.of(new Schedules.Due(minutely, Instant.parse("2026-12-07T10:01:00Z"))), due);
    assertEquals("minutely@2026-12-07T10:01:00Z", due.get(0).workId());
  }

  @Test
  void aRecordedRunIsNotDueAgainAndTheNextOneIs() {
    define(minutely, DEFINED);
    Schedules.Due first = book.due(Instant.parse("2026-12-07T10:01:05Z"), name -> true).get(0);
    book.ran(first, first.workId());
    assertEquals(List.of(), book.due(Instant.parse("2026-12-07T10:01:59Z"), name -> true));
    ScheduleStatus s = book.get("minutely", Instant.parse("2026-12-07T10:01:59Z")).orElseThrow();
    assertEquals(first.at(), s.lastRunAt());
    assertEquals(first.workId(), s.lastWorkId());
    assertEquals(Instant.parse("2026-12-07T10:02:00Z"), s.nextRunAt());
    assertEquals(Instant.parse("2026-12-07T10:02:00Z"),
        book.due(Instant.parse("2026-12-07T10:02:00Z"), name -> true).get(0).at());
  }

  @Test
  void runsMissedWhileNoCoordinatorRanHappenOnceAtTheLatestMissedTime() {
    define(minutely, DEFINED);
    book.apply("run:minutely", ScheduleRecords.run("minutely", Instant.parse("2026-12-07T10:01:00Z"), "w1"));
    List<Schedules.Due> due = book.due(Instant.parse("2026-12-07T13:45:10Z"), name -> true);
    assertEquals(List.of(new Schedules.Due(minutely, Instant.parse("2026-12-07T13:45:00Z"))), due);
  }

  @Test
  void onlyTheSchedulesThisCoordinatorOwnsAreDueHere() {
    define(minutely, DEFINED);
    define(Schedule.every("other", Duration.ofMinutes(1), null, 30), DEFINED);
    List<Schedules.Due> due = book.due(DEFINED.plusSeconds(60), name -> name.equals("other"));
    assertEquals(List.of("other"), due.stream().map(d -> d.schedule().name()).toList());
  }

  @Test
  void anOlderRunReadLateDoesNotUndoANewerOne() {
    define(minutely, DEFINED);
    book.apply("run:minutely", ScheduleRecords.run("minutely", Instant.parse("2026-12-07T10:05:00Z"), "w5"));
    book.apply("run:minutely", ScheduleRecords.run("minutely", Instant.parse("2026-12-07T10:03:00Z"), "w3"));
    assertEquals("w5", book.get("minutely", DEFINED).orElseThrow().lastWorkId());
    assertEquals(List.of(), book.due(Instant.parse("2026-12-07T10:05:59Z"), name -> true));
  }

  @Test
  void aDeletedScheduleIsNoLongerDueAndARedefinitionCountsFromItsOwnTime() {
    define(minutely, DEFINED);
    book.apply("def:minutely", null);
    book.apply("run:minutely", null);
    assertEquals(List.of(), book.due(DEFINED.plusSeconds(600), name -> true));
    assertEquals(List.of(), book.list(DEFINED));
    Instant again = DEFINED.plusSeconds(900);
    define(minutely, again);
    assertNull(book.get("minutely", again).orElseThrow().lastRunAt());
    assertEquals(List.of(), book.due(again.plusSeconds(29), name -> true), "not before its next minute");
    assertEquals(1, book.due(again.plusSeconds(30), name -> true).size());
  }

  @Test
  void aRedefinitionTakesEffectAtOnceEvenWhenItsNextRunWasWorkedOutAlready() {
    define(minutely, DEFINED);
    assertEquals(List.of(), book.due(DEFINED.plusSeconds(1), name -> true));
    define(Schedule.every("minutely", Duration.ofHours(1), null, 30), DEFINED);
    assertEquals(List.of(), book.due(Instant.parse("2026-12-07T10:01:05Z"), name -> true), "hourly now");
    assertEquals(1, book.due(Instant.parse("2026-12-07T11:00:00Z"), name -> true).size());
  }

  @Test
  void aScheduleWithNoTimeLeftHasNoNextRun() {
    define(Schedule.cron("feb30", "0 0 30 2 *", null, 5), DEFINED);
    assertNull(book.get("feb30", DEFINED).orElseThrow().nextRunAt());
    assertEquals(List.of(), book.due(DEFINED.plus(Duration.ofDays(400)), name -> true));
  }

  @Test
  void theNextRunShownIsTheOneThatWillBeDueAcrossTheEndOfSummerTime() {
    // 2:30 happens twice in Paris on 2026-10-25; it runs once, at the first (00:30Z).
    Schedule s = Schedule.cron("night", "30 2 * * *", null, 5).withZone(java.time.ZoneId.of("Europe/Paris"));
    define(s, Instant.parse("2026-10-24T12:00:00Z"));
    book.apply("run:night", ScheduleRecords.run("night", Instant.parse("2026-10-25T00:30:00Z"), "w"));
    Instant now = Instant.parse("2026-10-25T01:45:00Z");
    assertEquals(List.of(), book.due(now, name -> true));
    assertEquals(Instant.parse("2026-10-26T01:30:00Z"), book.get("night", now).orElseThrow().nextRunAt(),
        "not 01:30Z, a time in the past that does not run");
  }

  @Test
  void aRecordThatCannotBeReadIsRefusedNamingWhy() {
    assertThrows(IllegalArgumentException.class, () -> book.apply("other:x", new byte[] {'{', '}'}));
    assertThrows(RuntimeException.class, () -> book.apply("def:x", "{\"schema\":\"gowork.schedule/v9\"}".getBytes()));
    assertEquals(0, book.size());
  }

  private void define(Schedule s, Instant at) {
    book.apply("def:" + s.name(), ScheduleRecords.definition(s, at));
  }
}
