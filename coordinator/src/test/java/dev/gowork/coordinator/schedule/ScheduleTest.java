package dev.gowork.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a schedule runs, and what a schedule may be; no Kafka, no clock. */
class ScheduleTest {
  private static final Instant T = Instant.parse("2026-12-07T10:17:42.500Z");

  @Test
  void anEveryScheduleRunsAtMultiplesOfItsIntervalSince1970SoEveryCoordinatorAgrees() {
    Schedule s = Schedule.every("sync", Duration.ofMinutes(5), null, 60);
    assertEquals(Optional.of(Instant.parse("2026-12-07T10:20:00Z")), s.nextRunAfter(T));
    assertEquals(Optional.of(Instant.parse("2026-12-07T10:15:00Z")), s.lastRunAtOrBefore(T));
    Instant exactly = Instant.parse("2026-12-07T10:20:00Z");
    assertEquals(Optional.of(exactly), s.lastRunAtOrBefore(exactly), "a run time is its own last run");
    assertEquals(Optional.of(exactly.plusSeconds(300)), s.nextRunAfter(exactly), "next is strictly after");
  }

  @Test
  void aCronScheduleRunsAtTheTimesItNamesInItsZone() {
    Schedule utc = Schedule.cron("report", "0 9 * * 1-5", null, 60);
    assertEquals(Optional.of(Instant.parse("2026-12-08T09:00:00Z")), utc.nextRunAfter(T), "Monday 10:17 → Tuesday 9:00");
    assertEquals(Optional.of(Instant.parse("2026-12-07T09:00:00Z")), utc.lastRunAtOrBefore(T));
    Schedule paris = utc.withZone(ZoneId.of("Europe/Paris"));
    assertEquals(Optional.of(Instant.parse("2026-12-08T08:00:00Z")), paris.nextRunAfter(T), "9:00 in Paris in winter");
    assertEquals(Optional.of(Instant.parse("2026-07-07T07:00:00Z")),
        paris.nextRunAfter(Instant.parse("2026-07-06T12:00:00Z")), "and in summer");
    Instant nine = Instant.parse("2026-12-07T09:00:00Z");
    assertEquals(Optional.of(nine), utc.lastRunAtOrBefore(nine));
    assertEquals(Optional.of(Instant.parse("2026-12-04T09:00:00Z")), utc.lastRunAtOrBefore(nine.minusSeconds(1)),
        "Monday before nine: Friday's run");
  }

  @Test
  void macrosStandForTheirExpressions() {
    assertEquals(Optional.of(Instant.parse("2026-12-07T11:00:00Z")), Schedule.cron("h", "@hourly", null, 1)
        .nextRunAfter(T));
    assertEquals(Optional.of(Instant.parse("2026-12-08T00:00:00Z")), Schedule.cron("d", "@daily", null, 1)
        .nextRunAfter(T));
    assertEquals(Optional.of(Instant.parse("2027-01-01T00:00:00Z")), Schedule.cron("m", "@monthly", null, 1)
        .nextRunAfter(T));
    assertEquals("@daily", Schedule.cron("d", "@daily", null, 1).cron().orElseThrow(), "kept as given");
  }

  @Test
  void badDefinitionsAreRefusedNamingWhatIsWrong() {
    assertRefused(ErrorCode.INVALID_ARGUMENT, "not a cron expression", () -> Schedule.cron("x", "* * *", null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "not a cron expression", () -> Schedule.cron("x", "61 * * * *", null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "schedule name", () -> Schedule.cron("", "* * * * *", null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "schedule name", () -> Schedule.cron("a/b", "* * * * *", null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "schedule name", () -> Schedule.cron("x".repeat(101), "@daily", null, 1));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "timeoutSeconds", () -> Schedule.cron("x", "@daily", null, 0));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "interval", () -> Schedule.every("x", Duration.ZERO, null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "interval", () -> Schedule.every("x", Duration.ofMillis(1500), null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "interval", () -> Schedule.every("x", Duration.ofDays(32), null, 60));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "cron schedules only",
        () -> Schedule.every("x", Duration.ofSeconds(5), null, 60).withZone(ZoneId.of("UTC")));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "not a time zone", () -> Schedule.zone("Mars/Olympus"));
    assertRefused(ErrorCode.INVALID_ARGUMENT, "maxAttempts", () -> Schedule.cron("x", "@daily", null, 1)
        .withMaxAttempts(0));
    assertRefused(ErrorCode.TOO_LARGE, "at most 65536 bytes",
        () -> Schedule.cron("x", "@daily", "y".repeat(Schedule.MAX_DATA_BYTES), 1));
  }

  @Test
  void aLongCronExpressionIsRefusedBeforeItIsParsed() {
    // 10,000 minutes in a list: valid, and two seconds of parsing, here and on every coordinator's follower
    String list = "0,".repeat(10_000) + "0 * * * *";
    assertRefused(ErrorCode.INVALID_ARGUMENT, "at most " + Schedule.MAX_CRON_LENGTH + " characters",
        () -> Schedule.cron("x", list, null, 60));
    Schedule.cron("x", "0,15,30,45 0-6,18-23 1,15 1-6,9-12 1-5", null, 60); // a long but ordinary one still fits
  }

  @Test
  void aDefinitionSurvivesItsRecord() {
    Schedule s = Schedule.cron("nightly.report_1", "30 2 * * *", Map.of("report", "sales"), 600)
        .withZone(ZoneId.of("America/New_York")).withQueue("reports").withMaxAttempts(3);
    Instant at = Instant.parse("2026-12-07T00:00:00.123Z");
    ScheduleRecords.Definition back = ScheduleRecords.readDefinition(ScheduleRecords.definition(s, at));
    assertEquals(s, back.schedule());
    assertEquals(at, back.definedAt());
    Schedule every = Schedule.every("e", Duration.ofSeconds(90), null, 5);
    assertEquals(every, ScheduleRecords.readDefinition(ScheduleRecords.definition(every, at)).schedule());
    assertThrows(IllegalArgumentException.class, () -> ScheduleRecords.readRun(ScheduleRecords.definition(s, at)),
        "a definition is not a run");
  }

  private static void assertRefused(ErrorCode code, String text, Runnable r) {
    GoWorkException e = assertThrows(GoWorkException.class, r::run);
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(text), e.getMessage());
  }
}
