package dev.gowork.coordinator;

import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** Waits for coordinators of one prefix to share out the results partitions (tests with several). */
final class SplitPartitions {
  private SplitPartitions() {}

  /** Until each of {@code a} and {@code b} owns some results partitions and together they own all. */
  static void await(WorkServer a, WorkServer b, Duration timeout) {
    Poll.until(() -> {
      Set<Integer> all = new HashSet<>(a.ownedPartitions());
      all.addAll(b.ownedPartitions());
      return !a.ownedPartitions().isEmpty() && !b.ownedPartitions().isEmpty()
          && all.size() == QueueTopics.RESULT_PARTITIONS;
    }, timeout, "the two coordinators to split the " + QueueTopics.RESULT_PARTITIONS + " results partitions");
  }
}
