package dev.gowork.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TallyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private long now;
  private final Tally tally = new Tally(() -> now);

  private void event(EventType type, String workId, long atMillis, Long durationMs) {
    tally.accept(new Event("e", type, T0.plusMillis(atMillis), "default", workId, "w-1", 1, durationMs, null), new byte[0]);
  }

  @Test
  void eachWorkCountsOnceAndLatencyComesFromDurationOrAddTime() {
    tally.submitted(List.of("a", "b", "c"), T0.toEpochMilli());
    event(EventType.ADD_WORK, "a", 5, null);
    now = 42;
    event(EventType.WORK_COMPLETE, "a", 30, 20L);
    event(EventType.WORK_COMPLETE, "a", 31, 21L);
    event(EventType.ADD_WORK, "b", 10, null);
    event(EventType.WORK_COMPLETE, "b", 110, null);
    assertFalse(tally.allFinished(3));
    event(EventType.WORK_TIMEOUT, "c", 60_000, null);
    assertTrue(tally.allFinished(3));
    Tally.Snapshot s = tally.snapshot();
    assertEquals(2, s.completed());
    assertEquals(1, s.timedOut());
    assertEquals(42, s.lastOutcomeNanos());
    Histogram h = tally.latency();
    assertEquals(2, h.getTotalCount());
    assertEquals(20, h.getMinValue());
    assertEquals(100, h.getMaxValue(), 1);
  }

  @Test
  void aRetryTakesAFailureBackUntilTheNextOutcome() {
    tally.submitted(List.of("a"), T0.toEpochMilli());
    event(EventType.WORK_FAILED, "a", 1, null);
    assertEquals(1, tally.snapshot().failed());
    event(EventType.WORK_RETRY, "a", 2, null);
    assertEquals(0, tally.snapshot().finished());
    assertFalse(tally.allFinished(1));
    event(EventType.WORK_COMPLETE, "a", 3, null);
    assertEquals(1, tally.snapshot().completed());
    assertEquals(3, tally.latency().getMaxValue(), "from the submit time when add_work was not seen");
  }

  @Test
  void eventsOfWorkNotSubmittedDoNotFinishTheDemo() {
    tally.submitted(List.of("a"), 0);
    event(EventType.WORK_COMPLETE, "other", 1, 1L);
    assertFalse(tally.allFinished(1));
  }
}
