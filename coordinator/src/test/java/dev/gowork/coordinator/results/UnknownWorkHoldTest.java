package dev.gowork.coordinator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** When a result for work not known yet holds its partition, and when it is let go (times by hand). */
class UnknownWorkHoldTest {
  private static final TopicPartition TP = new TopicPartition("p.results", 3);
  private static final long S = 1_000_000_000L;
  private final UnknownWorkHold hold = new UnknownWorkHold();

  @Test
  void aFreshResultWaitsAndIsAskedAgainEveryRetryUntilItIsDecided() {
    long appended = 1_000_000;
    assertTrue(hold.waitFor(TP, 7, appended, appended + 100, 0));
    assertEquals(List.of(), hold.due(UnknownWorkHold.RETRY.toNanos() - 1));
    assertEquals(List.of(TP), hold.due(UnknownWorkHold.RETRY.toNanos()));
    assertTrue(hold.waitFor(TP, 7, appended, appended + 200, 20 * S), "still within the 30 s");
    hold.decided(TP, 7);
    assertEquals(List.of(), hold.due(Long.MAX_VALUE / 2));
  }

  @Test
  void itIsLetGoAfterWaitingThirtySecondsOrWhenItWasOldWhenFirstSeen() {
    long appended = 1_000_000;
    assertTrue(hold.waitFor(TP, 7, appended, appended, 5 * S));
    assertTrue(hold.waitFor(TP, 7, appended, appended, 34 * S));
    assertFalse(hold.waitFor(TP, 7, appended, appended, 35 * S), "30 s since it was first seen");
    assertEquals(List.of(), hold.due(Long.MAX_VALUE / 2));

    assertFalse(hold.waitFor(TP, 8, appended, appended + UnknownWorkHold.FRESH.toMillis(), 40 * S),
        "appended 30 s before it was first read: an orphan in a backlog is let go at once");
    assertTrue(hold.waitFor(TP, 9, -1, appended, 40 * S), "no append time: it waits");
  }

  @Test
  void anotherOffsetStartsItsOwnWaitAndALostPartitionIsForgotten() {
    assertTrue(hold.waitFor(TP, 7, 0, 0, 0));
    assertTrue(hold.waitFor(TP, 8, 0, 0, 29 * S));
    assertTrue(hold.waitFor(TP, 8, 0, 0, 58 * S), "the wait counts from when offset 8 was first seen");
    hold.decided(TP, 7);
    assertEquals(List.of(TP), hold.due(Long.MAX_VALUE / 2), "deciding another offset leaves 8 held");
    hold.forget(List.of(TP));
    assertEquals(List.of(), hold.due(Long.MAX_VALUE / 2));
  }
}
