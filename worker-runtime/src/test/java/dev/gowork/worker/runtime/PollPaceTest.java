package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollPaceTest {
  private static final long START = 7_000_000_000L;

  @Test
  void waitsBrieflyUntilTheQueueHasBeenQuietForASecond() {
    PollPace pace = new PollPace(START);
    assertEquals(PollPace.BUSY, pace.tick(START));
    assertEquals(PollPace.BUSY, pace.tick(START + PollPace.QUIET_AFTER.toNanos() - 1));
    assertEquals(PollPace.QUIET, pace.tick(START + PollPace.QUIET_AFTER.toNanos()));
  }

  @Test
  void recordsMakeItBriefAgainAtOnce() {
    PollPace pace = new PollPace(START);
    long later = START + Duration.ofMinutes(5).toNanos();
    assertEquals(PollPace.QUIET, pace.tick(later));
    pace.recordsCame(later);
    assertEquals(PollPace.BUSY, pace.tick(later));
    assertEquals(later, pace.lastRecordsNanos());
  }

  @Test
  void anEarlierReadingDoesNotMoveTheLastRecordsBack() {
    PollPace pace = new PollPace(START);
    pace.recordsCame(START + 10);
    pace.recordsCame(START + 5);
    assertEquals(START + 10, pace.lastRecordsNanos());
  }

  @Test
  void theMonotonicClockMayStartNegative() {
    long start = -Duration.ofDays(3).toNanos();
    PollPace pace = new PollPace(start);
    assertEquals(PollPace.BUSY, pace.tick(start + 1));
    assertEquals(PollPace.QUIET, pace.tick(start + PollPace.QUIET_AFTER.toNanos()));
  }
}
