package dev.gowork.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's count of takeovers and fences reads the coordinators' log lines as they are written (shipped and test layouts). */
class SoakCoordinatorsTest {
  @Test
  void partitionGainsAndFencesAreCountedFromTheLinesTheCoordinatorLogs() {
    List<String> lines = List.of(
        "2026-12-07T17:13:07.668Z INFO  [gowork-consume-results] PartitionOwner owns results partitions [2, 0, 4] of "
            + "gowork.results (0 unfinished items taken over)",
        "2026-12-07T17:14:31.481Z WARN  [gowork-consume-results] AbandonedTransactions fencing the transactional ids "
            + "[gowork.coordinator-b]: their transactions have been open for over 10 s and no member of "
            + "gowork.coordinator has them (a coordinator killed or cut off); Kafka aborts those transactions now",
        "2026-12-07T17:14:33.121Z INFO  [gowork-consume-results] PartitionOwner owns results partitions "
            + "[5, 4, 3, 2, 1, 0] of gowork.results (4886 unfinished items taken over)",
        "2026-12-07T17:15:45.032Z INFO  [gowork-consume-results] PartitionOwner gave up results partitions [3, 4, 5]; "
            + "owns [2, 1, 0]",
        "17:16:02.001 WARN  [gowork-FenceAbandonedTransactions] AbandonedTransactions - fencing the transactional ids "
            + "[gowork.coordinator-a]: ... (as the test layout writes it)");

    assertEquals(new SoakCoordinators.Takeovers(2, 1, 2), SoakCoordinators.takeovers(lines));
  }

  @Test
  void instanceIdsAreLetters() {
    assertEquals(List.of("a", "b", "c"), List.of(SoakCoordinators.instanceId(0), SoakCoordinators.instanceId(1),
        SoakCoordinators.instanceId(2)));
  }
}
