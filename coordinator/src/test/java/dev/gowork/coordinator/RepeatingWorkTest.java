package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.ScheduleStatus;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Repeating work (Celery beat, Sidekiq-cron, BullMQ's repeatable jobs) on a real broker: each run
 * time adds the schedule's work once, under the id {@code <name>@<run time>}; runs missed while
 * down happen once; a restart neither loses the schedule nor repeats a run; a deleted schedule
 * adds nothing more. The fixture's clock moves only when the test moves it.
 */
@ExtendWith(KafkaExtension.class)
class RepeatingWorkTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void eachRunTimeAddsTheSchedulesWorkOnceAndMissedRunsHappenOnce(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    ScheduleStatus defined = server.schedule(Schedule.every("sync", Duration.ofMinutes(1), Map.of("full", false), 30)
        .withMaxAttempts(2));
    Instant first = defined.nextRunAt();
    assertEquals(0, first.getEpochSecond() % 60, "on the minute: " + first);
    assertEquals(defined, server.scheduleStatus("sync").orElseThrow());
    assertEquals(null, defined.lastRunAt());

    moveTo(first.plusMillis(200));
    WorkEnvelope run1 = worker.take(WAIT);
    assertEquals("sync@" + first, run1.workId());
    assertEquals(false, run1.data().get("full").asBoolean(true));
    assertEquals(2, run1.maxAttempts());
    assertEquals(30, run1.timeoutSeconds());
    ScheduleStatus after = Poll.until(() -> server.scheduleStatus("sync").filter(s -> s.lastRunAt() != null)
        .orElse(null), WAIT, "the run recorded");
    assertEquals(first, after.lastRunAt());
    assertEquals(run1.workId(), after.lastWorkId());
    assertEquals(first.plusSeconds(60), after.nextRunAt());

    moveTo(first.plusSeconds(60));
    assertEquals("sync@" + first.plusSeconds(60), worker.take(WAIT).workId());

    moveTo(first.plusSeconds(60 * 10 + 30)); // eight run times missed: one run, at the latest
    assertEquals("sync@" + first.plusSeconds(600), worker.take(WAIT).workId());
    worker.assertNothingWithin(Duration.ofSeconds(1));
    assertOnce(log, EventType.ADD_WORK, "sync@" + first);
    assertEquals(3, server.scheduleRuns(), "gowork_schedule_runs_total");
    assertEquals(WorkState.TIMED_OUT, Poll.until(() -> server.status(run1.workId()).filter(
        w -> w.state() == WorkState.TIMED_OUT).orElse(null), WAIT, "the first run timed out").state(),
        "each run is work of its own, with its own timeout");
  }

  @Test
  void aRestartKeepsTheScheduleWithoutRepeatingARunAndADeletedOneAddsNothing(TestKafka k) {
    start(k);
    Session s = handshake();
    TestWorker worker = worker(s);
    Instant first = server.schedule(Schedule.cron("hourly", "@hourly", "tick", 60)).nextRunAt();
    server.schedule(Schedule.every("other", Duration.ofHours(1), null, 60));
    moveTo(first.plusSeconds(1));
    assertEquals(java.util.Set.of("hourly@" + first, "other@" + first),
        java.util.Set.of(worker.take(WAIT).workId(), worker.take(WAIT).workId()), "both ran, in either order");
    Poll.until(() -> server.schedules().stream().allMatch(x -> first.equals(x.lastRunAt())), WAIT, "runs recorded");

    crashAndRestart(() -> { });
    assertEquals(2, server.schedules().size());
    assertEquals(first, server.scheduleStatus("hourly").orElseThrow().lastRunAt());
    assertTrue(server.unschedule("other"));
    assertFalse(server.unschedule("other"), "deleted already");
    worker.assertNothingWithin(Duration.ofSeconds(1));

    moveTo(first.plusSeconds(3600));
    assertEquals("hourly@" + first.plusSeconds(3600), worker.take(WAIT).workId());
    worker.assertNothingWithin(Duration.ofSeconds(1));
    assertEquals(java.util.List.of("hourly"), server.schedules().stream().map(x -> x.schedule().name()).toList());
    // Handlers (and this log) may see an event again after a crash, under its own id: one add is one event id.
    assertEquals(1, log.of(EventType.ADD_WORK, "hourly@" + first).stream().map(e -> e.id()).distinct().count(),
        log.of(EventType.ADD_WORK, "hourly@" + first).toString());
  }

  private void moveTo(Instant t) {
    clock.advance(Duration.between(clock.instant(), t));
  }
}
