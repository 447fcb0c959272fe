package dev.gowork.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's periodic duties, each on its own daemon thread named {@code gowork-<TaskName>}, so
 * that a slow one (a retry waiting for Kafka) never delays another (timeouts). A run that throws is
 * logged under the task's name; the next run still happens.
 */
final class BackgroundTasks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundTasks.class);
  private final List<ScheduledExecutorService> executors = new ArrayList<>();

  synchronized void every(String name, Duration period, Runnable task) {
    ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gowork-" + name);
      t.setDaemon(true);
      return t;
    });
    executors.add(ex);
    long ms = Math.max(1, period.toMillis());
    ex.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("background task {} failed", name, e);
      }
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    executors.forEach(ScheduledExecutorService::shutdown);
    for (ScheduledExecutorService ex : executors) {
      try {
        if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
          ex.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ex.shutdownNow();
      }
    }
    executors.clear();
  }
}
