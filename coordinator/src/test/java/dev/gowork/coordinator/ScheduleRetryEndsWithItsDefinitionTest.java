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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A schedule's run that failed waits 5 s (on the monotonic source) for its retry. That wait was kept by
 * name after the schedule was deleted or redefined, so a new definition of the name (or the same one
 * defined again) had its first run held back by the old definition's retry. The task is run by the
 * test, round by round, with an add that fails the first time; the monotonic source never moves here.
 */
class ScheduleRetryEndsWithItsDefinitionTest {
  private static final Schedule HOURLY = Schedule.every("digest", Duration.ofHours(1), null, 60);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:30Z"));
  private final Schedules schedules = new Schedules(Journal.discarding());
  private final List<List<Work>> adds = new ArrayList<>();
  private final FireSchedules fire = new FireSchedules(schedules, name -> true, () -> true, this::add, id -> false,
      clock, clock::nanoTime);

  @Test
  void aRedefinedScheduleRunsOnTimeWithoutTheOldDefinitionsRetry() {
    failedRun();
    ReadBack.defined(schedules, Schedule.every("digest", Duration.ofMinutes(1), Map.of("v", 2), 60), clock.instant());
    clock.step(Duration.ofMinutes(1)); // the new definition's first run is due
    fire.run();
    assertEquals(2, adds.size(), "the new definition's run tried at once"); // 1 before the fix
    assertEquals(1, fire.runs());
  }

  @Test
  void aScheduleDeletedAndDefinedAgainDoesNotInheritTheRetry() {
    failedRun();
    ReadBack.deleted(schedules, "digest");
    fire.run();
    ReadBack.defined(schedules, HOURLY, clock.instant());
    clock.step(Duration.ofHours(1)); // its first run is due
    fire.run();
    assertEquals(2, adds.size(), "the schedule defined again tried at once"); // 1 before the fix
    assertEquals(1, fire.runs());
  }

  /** An hourly schedule whose first run is 30 min late, and failed: its retry waits. */
  private void failedRun() {
    ReadBack.defined(schedules, HOURLY, clock.instant());
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
