package dev.gowork.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;

/**
 * Waits for a work item to finish with long polls ({@code GET /v1/work/{id}?wait=N}, at most 30 s
 * each), so no answer waits longer than the coordinator allows and the wait costs no polling.
 */
public final class WaitForWork {
  /** The states a work item ends in. */
  public static final Set<String> FINAL = Set.of("completed", "failed", "timed_out", "dead", "cancelled");
  private static final long LONGEST_POLL_SECONDS = 30;

  private WaitForWork() {}

  /** The item's status once it has finished, or when {@code total} has passed, whichever is first. */
  public static JsonNode await(CoordinatorClient client, String workId, Duration total) {
    long end = System.nanoTime() + total.toNanos();
    String path = "/v1/work/" + CoordinatorClient.segment(workId);
    while (true) {
      long leftNanos = end - System.nanoTime();
      long seconds = leftNanos <= 0 ? 0 : Math.min(LONGEST_POLL_SECONDS, (leftNanos + 999_999_999L) / 1_000_000_000L);
      JsonNode status = client.get(path + "?wait=" + seconds);
      if (seconds == 0 || isFinal(status)) {
        return status;
      }
    }
  }

  public static boolean isFinal(JsonNode status) {
    return status != null && FINAL.contains(status.path("state").asText());
  }
}
