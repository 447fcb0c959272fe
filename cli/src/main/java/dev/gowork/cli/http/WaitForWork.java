package dev.gowork.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.cli.settings.CliException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Waits for a work item to finish with long polls ({@code GET /v1/work/{id}?wait=N}, at most 30 s
 * each), so no answer waits longer than the coordinator allows and the wait costs no polling. A
 * coordinator that answers a poll at once with the work unfinished (one that predates {@code ?wait}
 * and ignores it, or one that is closing) is asked at most once per {@link #FASTEST_POLL}, not in a
 * tight loop until the wait runs out.
 */
public final class WaitForWork {
  /** The states a work item ends in. */
  public static final Set<String> FINAL = Set.of("completed", "failed", "timed_out", "dead", "cancelled");
  private static final long LONGEST_POLL_SECONDS = 30;
  /** Polls that come back early with the work unfinished start at most this often. */
  static final Duration FASTEST_POLL = Duration.ofSeconds(1);

  /** Pauses for a number of nanoseconds (a fake one in tests). */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private WaitForWork() {}

  /** The item's status once it has finished, or when {@code total} has passed, whichever is first. */
  public static JsonNode await(CoordinatorClient client, String workId, Duration total) {
    return await(client, workId, total, System::nanoTime, WaitForWork::sleep);
  }

  /**
   * Waits for several items with one deadline, {@code total} from now: each item's status once it has
   * finished, or as it is when the deadline has passed (then asked without waiting). So N items take at
   * most {@code total} in all, not N times it.
   */
  public static Function<String, JsonNode> eachUntil(CoordinatorClient client, Duration total) {
    return eachUntil(client, total, System::nanoTime, WaitForWork::sleep);
  }

  static Function<String, JsonNode> eachUntil(CoordinatorClient client, Duration total, LongSupplier nanoTime,
      Sleeper sleeper) {
    long end = nanoTime.getAsLong() + total.toNanos();
    return id -> until(client, id, end, nanoTime, sleeper);
  }

  private static void sleep(long nanos) throws InterruptedException {
    Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
  }

  static JsonNode await(CoordinatorClient client, String workId, Duration total, LongSupplier nanoTime,
      Sleeper sleeper) {
    return until(client, workId, nanoTime.getAsLong() + total.toNanos(), nanoTime, sleeper);
  }

  private static JsonNode until(CoordinatorClient client, String workId, long end, LongSupplier nanoTime,
      Sleeper sleeper) {
    String path = "/v1/work/" + CoordinatorClient.segment(workId);
    while (true) {
      long asked = nanoTime.getAsLong();
      long leftNanos = end - asked;
      long seconds = leftNanos <= 0 ? 0 : Math.min(LONGEST_POLL_SECONDS, (leftNanos + 999_999_999L) / 1_000_000_000L);
      JsonNode status = client.get(path + "?wait=" + seconds);
      if (seconds == 0 || isFinal(status)) {
        return status;
      }
      long now = nanoTime.getAsLong();
      long pause = Math.min(FASTEST_POLL.toNanos() - (now - asked), end - now);
      if (pause > 0) {
        try {
          sleeper.sleep(pause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw CliException.failed("interrupted while waiting for work " + workId, e);
        }
      }
    }
  }

  public static boolean isFinal(JsonNode status) {
    return status != null && FINAL.contains(status.path("state").asText());
  }
}
