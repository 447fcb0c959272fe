package dev.gowork.coordinator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadAgainTest {
  private static final TopicPartition P0 = new TopicPartition("p.results", 0);
  private static final TopicPartition P1 = new TopicPartition("p.results", 1);

  @Test
  void recordsBelowWhatWasDecidedHereOrBelowTheEndAtAnUnstickAreReadAgain() {
    ReadAgain again = new ReadAgain();
    assertEquals(ReadAgain.Kind.FIRST, again.of(P0, 0));
    again.decided(P0, 0);
    again.decided(P0, 1);
    assertEquals(ReadAgain.Kind.DECIDED_HERE, again.of(P0, 1));
    assertEquals(ReadAgain.Kind.FIRST, again.of(P0, 2));
    assertEquals(ReadAgain.Kind.FIRST, again.of(P1, 0), "per partition");

    again.unstuck(P1, 10);
    assertEquals(ReadAgain.Kind.AFTER_UNSTICK, again.of(P1, 0));
    assertEquals(ReadAgain.Kind.AFTER_UNSTICK, again.of(P1, 9));
    assertEquals(ReadAgain.Kind.FIRST, again.of(P1, 10));
    again.decided(P1, 4);
    assertEquals(ReadAgain.Kind.DECIDED_HERE, again.of(P1, 4), "decided here wins");
    assertEquals(ReadAgain.Kind.AFTER_UNSTICK, again.of(P1, 5));
    again.decided(P0, 0);
    assertEquals(ReadAgain.Kind.DECIDED_HERE, again.of(P0, 1), "the furthest decided offset counts");
  }
}
