package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.schedule.ReadBack;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.Schedules;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A schedule's run whose work could not be added (Kafka away, its queue refused) is tried again 5 s
 * later. That wait is a duration, timed on the monotonic source: it was on the wall clock, so a step
 * back (NTP, a resumed VM) held the retry back by the size of the step (the run missed for as long), and
 * a step forward tried it at once. When a run is due stays on the wall clock. The task is run by the
 * test, round by round, with an add that fails the first time.
 */
class ScheduleRetryOutlastsAWallClockStepTest {
  private static final Duration RETRY = Duration.ofSeconds(5);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:30Z"));
  private final Schedules schedules = new Schedules(Journal.discarding());
  private final List<List<Work>> adds = new ArrayList<>();
  private final FireSchedules fire = new FireSchedules(schedules, name -> true, () -> true, this::add, id -> false,
      clock, clock::nanoTime);

  @Test
  void aStepBackDoesNotHoldTheRetryBack() {
    failedRun();
    clock.step(Duration.ofMinutes(-20)); // the run is still due
    clock.advance(RETRY);
    fire.run();
    assertEquals(1, fire.runs(), "tried again 5 s later on the monotonic source, and added");
  }

  @Test
  void aStepForwardDoesNotBringTheRetryForward() {
    failedRun();
    clock.step(Duration.ofMinutes(1));
    fire.run();
    assertEquals(1, adds.size(), "not tried again: no time passed on the monotonic source");
    clock.advance(RETRY);
    fire.run();
    assertEquals(1, fire.runs());
  }

  /** An hourly schedule whose first run is 30 min late, and failed: its retry waits. */
  private void failedRun() {
    Schedule hourly = Schedule.every("digest", Duration.ofHours(1), null, 60);
    ReadBack.defined(schedules, hourly, clock.instant());
    Instant first = schedules.get("digest", clock.instant()).orElseThrow().nextRunAt();
    clock.step(Duration.between(clock.instant(), first.plus(Duration.ofMinutes(30))));
    fire.run();
    assertEquals(1, fire.failures(), "the first add failed");
    fire.run();
    assertEquals(1, adds.size(), "and waits for its retry");
  }

  private CompletableFuture<Void> add(List<Work> batch) {
    adds.add(batch);
    return adds.size() == 1
        ? CompletableFuture.failedFuture(new GoWorkException(ErrorCode.UNAVAILABLE, "Kafka away (test)"))
        : CompletableFuture.completedFuture(null);
  }
}
