package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Built-in {@code sleep}: waits {@code data.ms} milliseconds (0 when absent, at most one hour), then
 * returns the data. Stops early, throwing {@link CancellationException}, when cancelled or interrupted.
 */
final class SleepHandler implements WorkHandler {
  static final long MAX_MS = TimeUnit.HOURS.toMillis(1);

  @Override
  public JsonNode handle(JsonNode data, WorkContext ctx) throws InterruptedException {
    long ms = millis(data);
    try {
      ctx.cancellation().toCompletableFuture().get(ms, TimeUnit.MILLISECONDS);
      throw new CancellationException("sleep cancelled after the runtime asked work " + ctx.workId() + " to stop");
    } catch (TimeoutException slept) {
      return data;
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
