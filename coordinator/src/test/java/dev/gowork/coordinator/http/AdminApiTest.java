package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which dead letters an operator sees first; no Kafka. */
class AdminApiTest {

  @Test
  void deadLettersComeNewestFirstUpToTheLimit() {
    List<WorkStatus> dead = List.of(dead("old", 1_000), dead("newest", 3_000), dead("undated", -1), dead("mid", 2_000),
        dead("also-mid", 2_000));
    assertEquals(List.of("newest", "also-mid", "mid", "old", "undated"), ids(AdminApi.newestFirst(dead, 10)));
    assertEquals(List.of("newest", "also-mid"), ids(AdminApi.newestFirst(dead, 2)));
    assertEquals(List.of(), ids(AdminApi.newestFirst(List.of(), 5)));
  }

  private static WorkStatus dead(String id, long updatedAtMillis) {
    Instant updated = updatedAtMillis < 0 ? null : Instant.ofEpochMilli(updatedAtMillis);
    return new WorkStatus(id, "default", WorkState.DEAD, 2, 2, null, "boom", "w-1", Instant.EPOCH, updated,
        Instant.EPOCH.plusSeconds(60), null, null);
  }

  private static List<String> ids(List<WorkStatus> statuses) {
    return statuses.stream().map(WorkStatus::workId).toList();
  }
}
