package dev.gowork.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.worker.handler.WorkHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler for one held record on a work thread and publishes its outcome: {@code completed}
 * with the returned value, {@code failed} with the exception's message, or {@code timed_out} when it
 * ends at or after the deadline. A throwing handler is reported, never propagated. How long it ran
 * ({@code durationMs}) is measured on the replica's monotonic nanoTime, so a step of the wall clock
 * cannot make it wrong or negative; the deadline is on the {@link Clock}.
 */
final class RunWork implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RunWork.class);

  private final Held held;
  private final WorkHandler handler;
  private final PublishResults publisher;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Stats stats;
  private final Cancellations cancellations;

  RunWork(Held held, WorkHandler handler, PublishResults publisher, Clock clock, LongSupplier nanoTime, Stats stats,
      Cancellations cancellations) {
    this.held = held;
    this.cancellations = cancellations;
    this.handler = handler;
    this.publisher = publisher;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.stats = stats;
  }

  @Override
  public void run() {
    if (cancellations.contains(held.work.workId())) {
      if (held.settle(Held.Fate.DROP)) {
        publisher.dropped(held);
      }
      return;
    }
    Instant start = clock.instant();
    if (held.work.isExpired(start)) {
      // It waited behind others of its batch past its deadline: reported, not run (no side effects).
      if (held.settle(Held.Fate.PUBLISH)) {
        publisher.handlerDone(held);
        publisher.publish(held, ResultStatus.TIMED_OUT, null,
            "the deadline " + held.work.deadline() + " passed before the handler could start", 0);
      }
      return;
    }
    long startNanos = nanoTime.getAsLong();
    if (!held.start(startNanos)) {
      return;
    }
    JsonNode result = null;
    String error = null;
    try {
      result = handler.handle(held.work.data(), held.context);
    } catch (Throwable e) { // any Error too: the slot is freed and the outcome reported now, not at the deadline
      error = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName() : e.getMessage();
      if (!held.context.isCancelled()) {
        LOG.warn("handler failed on {}: {}", held, error);
        LOG.debug("handler failure on {}", held, e);
      }
    }
    long ranNanos = Math.max(0, nanoTime.getAsLong() - startNanos);
    stats.handled(ranNanos);
    Instant end = clock.instant();
    long ms = TimeUnit.NANOSECONDS.toMillis(ranNanos);
    if (cancellations.contains(held.work.workId())) {
      if (held.settle(Held.Fate.DROP)) {
        publisher.dropped(held);
      }
      return;
    }
    if (!held.settle(Held.Fate.PUBLISH)) {
      return;
    }
    publisher.handlerDone(held);
    if (held.work.isExpired(end)) {
      publisher.publish(held, ResultStatus.TIMED_OUT, null,
          "the handler ran past the deadline " + held.work.deadline(), ms);
    } else if (error != null) {
      publisher.publish(held, ResultStatus.FAILED, null, error, ms);
    } else {
      publisher.publish(held, ResultStatus.COMPLETED, result, null, ms);
    }
  }
}
