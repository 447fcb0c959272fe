package dev.gowork.coordinator.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TimeoutTrackerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final TimeoutTracker tracker = new TimeoutTracker();

  @Test
  void nothingIsDueBeforeItsDeadlineAndEverythingIsDueAtIt() {
    long t0 = clock.millis();
    tracker.track("late", t0 + 3000);
    tracker.track("early", t0 + 1000);
    tracker.track("mid", t0 + 2000);
    assertEquals(List.of(), tracker.due(t0 + 999, 100));
    assertEquals(List.of("early"), tracker.due(t0 + 1000, 100));
    assertEquals(List.of("mid", "late"), tracker.due(t0 + 5000, 100));
    assertEquals(0, tracker.size());
    assertEquals(OptionalLong.empty(), tracker.next());
  }

  @Test
  void dueRespectsTheBatchLimitAndKeepsTheRest() {
    for (int i = 0; i < 10; i++) {
      tracker.track("w" + i, 100 + i);
    }
    assertEquals(4, tracker.due(1000, 4).size());
    assertEquals(6, tracker.size());
    assertEquals(OptionalLong.of(104), tracker.next());
  }

  @Test
  void expireTaskHandsOverEachDueItemOnceAsTheFakeClockAdvances() {
    List<String> expired = new ArrayList<>();
    List<Long> at = new ArrayList<>();
    ExpireTimedOutWork task = new ExpireTimedOutWork(tracker, (id, now) -> {
      expired.add(id);
      at.add(now);
    }, clock);
    tracker.track("a", clock.millis() + 1000);
    tracker.track("b", clock.millis() + 60_000);
    task.run();
    assertTrue(expired.isEmpty());
    clock.advance(Duration.ofSeconds(1));
    task.run();
    task.run();
    assertEquals(List.of("a"), expired);
    assertEquals(List.of(clock.millis()), at);
    clock.advance(Duration.ofMinutes(1));
    task.run();
    assertEquals(List.of("a", "b"), expired);
  }

  @Test
  void aThrowingExpiryDoesNotStopTheOthers() {
    List<String> expired = new ArrayList<>();
    ExpireTimedOutWork task = new ExpireTimedOutWork(tracker, (id, now) -> {
      if (id.equals("bad")) {
        throw new IllegalStateException("boom");
      }
      expired.add(id);
    }, clock);
    tracker.track("bad", clock.millis());
    tracker.track("good", clock.millis());
    task.run();
    assertEquals(List.of("good"), expired);
  }

  @Test
  void largeBacklogsAreDrainedInOneTick() {
    for (int i = 0; i < 25_000; i++) {
      tracker.track("w" + i, clock.millis());
    }
    int[] n = {0};
    new ExpireTimedOutWork(tracker, (id, now) -> n[0]++, clock).run();
    assertEquals(25_000, n[0]);
  }
}
