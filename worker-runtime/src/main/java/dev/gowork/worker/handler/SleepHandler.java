package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Built-in {@code sleep}: waits {@code data.ms} milliseconds (0 when absent, at most one hour), then
 * returns the data; a sleep of a second or more reports its progress every half second. Stops early, throwing {@link CancellationException}, when cancelled or interrupted.
 */
final class SleepHandler implements WorkHandler {
  static final long MAX_MS = TimeUnit.HOURS.toMillis(1);
  /** Sleeps this long or longer report their progress, every {@link #PROGRESS_STEP_MS}. */
  static final long PROGRESS_FROM_MS = 1000;
  static final long PROGRESS_STEP_MS = 500;

  @Override
  public JsonNode handle(JsonNode data, WorkContext ctx) throws InterruptedException {
    long ms = millis(data);
    boolean reports = ms >= PROGRESS_FROM_MS;
    long start = System.nanoTime();
    CompletableFuture<Void> stop = ctx.cancellation().toCompletableFuture();
    try {
      while (true) {
        long slept = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (slept >= ms) {
          return data;
        }
        if (reports && slept > 0) {
          ctx.progress((int) (slept * 100 / ms), "slept " + slept + " of " + ms + " ms");
        }
        try {
          stop.get(reports ? Math.min(ms - slept, PROGRESS_STEP_MS) : ms - slept, TimeUnit.MILLISECONDS);
          throw new CancellationException("sleep cancelled after the runtime asked work " + ctx.workId() + " to stop");
        } catch (TimeoutException next) {
          // slept one step
        }
      }
    } catch (ExecutionException e) {
      throw new CancellationException("sleep cancelled: " + e.getCause());
    }
  }

  static long millis(JsonNode data) {
    JsonNode ms = data == null ? null : data.get("ms");
    if (ms == null || ms.isNull()) {
      return 0;
    }
    if (!ms.canConvertToLong() || !ms.isIntegralNumber() || ms.asLong() < 0 || ms.asLong() > MAX_MS) {
      throw new IllegalArgumentException("sleep needs data.ms as an integer from 0 to " + MAX_MS);
    }
    return ms.asLong();
  }
}
