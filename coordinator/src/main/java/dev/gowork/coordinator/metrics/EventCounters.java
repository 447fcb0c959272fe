package dev.gowork.coordinator.metrics;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Turns the work server's events into counters and the add-to-terminal latency. Called on the
 * server's dispatch thread; Micrometer's meters are thread-safe, so scrapes need no lock.
 */
final class EventCounters implements Consumer<Event> {
  private final Map<EventType, Counter> counters = new EnumMap<>(EventType.class);
  private final Map<EventType, Latency> latency = new EnumMap<>(EventType.class);
  private final Latency failedLatency;
  private final Predicate<String> failedForGood;

  /**
   * @param failedForGood whether a {@code work_failed} event ended its work (no retry follows), by work id: asked
   *     only for events without {@code maxAttempts} (written before events carried it); the others say it
   *     themselves
   */
  EventCounters(MeterRegistry registry, Predicate<String> failedForGood) {
    this.failedForGood = failedForGood;
    count(registry, EventType.ADD_WORK, "gowork.work.added", "Work published to a queue");
    count(registry, EventType.WORK_COMPLETE, "gowork.work.completed", "Work a worker completed");
    count(registry, EventType.WORK_FAILED, "gowork.work.failed", "Failed attempts (each may be retried)");
    count(registry, EventType.WORK_TIMEOUT, "gowork.work.timed.out", "Work whose deadline passed first");
    count(registry, EventType.WORK_RETRY, "gowork.work.retried", "Work queued again for another attempt");
    count(registry, EventType.WORK_DEAD, "gowork.work.dead", "Work whose every attempt failed");
    count(registry, EventType.WORK_CANCELLED, "gowork.work.cancelled", "Work cancelled on request before it finished");
    count(registry, EventType.RESULT_REJECTED, "gowork.results.rejected",
        "Results refused (bad signature, unknown session, replay, late)");
    count(registry, EventType.RECORD_REJECTED, "gowork.records.rejected",
        "Records on GoWork topics that could not be decoded and were skipped");
    count(registry, EventType.WORKER_VERIFY_ERROR, "gowork.worker.verify.errors",
        "Failed worker verifications reported (a flood is reported at most 10 a second)");
    latency.put(EventType.WORK_COMPLETE, Latency.of(registry, "completed"));
    latency.put(EventType.WORK_TIMEOUT, Latency.of(registry, "timed_out"));
    latency.put(EventType.WORK_DEAD, Latency.of(registry, "dead"));
    failedLatency = Latency.of(registry, "failed");
  }

  @Override
  public void accept(Event e) {
    Counter c = counters.get(e.type());
    if (c != null) {
      c.increment();
    }
    if (e.durationMs() == null || e.durationMs() < 0) {
      return;
    }
    Latency t = latency.get(e.type());
    if (t == null && e.type() == EventType.WORK_FAILED && endedAsFailed(e)) {
      t = failedLatency;
    }
    if (t != null) {
      t.record(Duration.ofMillis(e.durationMs()));
    }
  }

  /**
   * True when a {@code work_failed} ended its work as {@code failed}: its last attempt, of work allowed one
   * (with more, the last failure makes it {@code dead}, counted by {@code work_dead}). Decided from the
   * event, not from the work's status when it is dispatched, which may have been forgotten by then or, on
   * another coordinator, not yet mirrored.
   */
  private boolean endedAsFailed(Event e) {
    if (e.attempt() != null && e.maxAttempts() != null) {
      return e.maxAttempts() <= 1 && e.attempt() >= e.maxAttempts();
    }
    return e.workId() != null && failedForGood.test(e.workId());
  }

  private void count(MeterRegistry registry, EventType type, String name, String description) {
    counters.put(type, Counter.builder(name).description(description).register(registry));
  }

  /**
   * The add-to-terminal time of one outcome, twice: a summary with the quantiles of the last two
   * minutes (what the dashboard shows), and a histogram with fixed buckets, which Prometheus can
   * aggregate across coordinators (a summary's quantiles cannot be).
   */
  private record Latency(Timer summary, Timer histogram) {
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofHours(1)};

    static Latency of(MeterRegistry registry, String outcome) {
      return new Latency(
          Timer.builder("gowork.work.latency").description("From add to the work's terminal state")
              .tag("outcome", outcome).publishPercentiles(0.5, 0.99).register(registry),
          Timer.builder("gowork.work.duration")
              .description("From add to the work's terminal state, in buckets (aggregate with histogram_quantile)")
              .tag("outcome", outcome).serviceLevelObjectives(BUCKETS).register(registry));
    }

    void record(Duration d) {
      summary.record(d);
      histogram.record(d);
    }
  }
}
