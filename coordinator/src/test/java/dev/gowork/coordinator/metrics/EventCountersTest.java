package dev.gowork.coordinator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventCountersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EventCounters counters = new EventCounters(registry, Set.of("final")::contains);

  private static Event event(EventType type, String workId, Long durationMs) {
    return new Event("e", type, Instant.EPOCH, "default", workId, null, 1, durationMs, null);
  }

  private double count(String name) {
    return registry.get(name).counter().count();
  }

  private long latencyCount(String outcome) {
    return registry.get("gowork.work.latency").tag("outcome", outcome).timer().count();
  }

  @Test
  void eachLifecycleEventCountsOnce() {
    counters.accept(event(EventType.ADD_WORK, "a", null));
    counters.accept(event(EventType.ADD_WORK, "b", null));
    counters.accept(event(EventType.WORK_COMPLETE, "a", 40L));
    counters.accept(event(EventType.RESULT_REJECTED, "a", null));
    counters.accept(event(EventType.GET_WORK, "b", null));
    assertEquals(2, count("gowork.work.added"));
    assertEquals(1, count("gowork.work.completed"));
    assertEquals(1, count("gowork.results.rejected"));
    assertEquals(0, count("gowork.work.timed.out"));
    assertEquals(1, latencyCount("completed"));
    assertEquals(40, registry.get("gowork.work.latency").tag("outcome", "completed").timer()
        .totalTime(TimeUnit.MILLISECONDS), 0.001);
  }

  @Test
  void aFailedAttemptCountsTowardsLatencyOnlyWhenItEndsTheWork() {
    counters.accept(event(EventType.WORK_FAILED, "retried", 10L));
    counters.accept(event(EventType.WORK_FAILED, "final", 20L));
    counters.accept(event(EventType.WORK_DEAD, "dead", 30L));
    counters.accept(event(EventType.WORK_TIMEOUT, "late", 50L));
    assertEquals(2, count("gowork.work.failed"));
    assertEquals(1, latencyCount("failed"));
    assertEquals(1, latencyCount("dead"));
    assertEquals(1, latencyCount("timed_out"));
  }

  /**
   * The outcome comes from the event: the work's status, read when the event is dispatched, may be gone
   * (forgotten after its retention, or beyond GOWORK_FINISHED_MAX_ITEMS) or, on another coordinator,
   * not mirrored yet, and the failure was then missed.
   */
  @Test
  void aFailureThatEndedTheWorkCountsAsFailedWhateverTheStatusSaysWhenItIsDispatched() {
    EventCounters c = new EventCounters(registry, id -> false); // the status no longer says FAILED
    c.accept(new Event("e1", EventType.WORK_FAILED, Instant.EPOCH, "default", "once", null, 1, 1, 20L, "boom"));
    c.accept(new Event("e2", EventType.WORK_FAILED, Instant.EPOCH, "default", "retried", null, 1, 3, 10L, "boom"));
    c.accept(new Event("e3", EventType.WORK_FAILED, Instant.EPOCH, "default", "died", null, 2, 2, 30L, "boom"));
    c.accept(new Event("e4", EventType.WORK_DEAD, Instant.EPOCH, "default", "died", null, 2, 2, 30L, "boom"));
    assertEquals(3, count("gowork.work.failed"));
    assertEquals(1, latencyCount("failed"), "only the failure that ended its work");
    assertEquals(20, registry.get("gowork.work.latency").tag("outcome", "failed").timer()
        .totalTime(TimeUnit.MILLISECONDS), 0.001);
    assertEquals(1, latencyCount("dead"));

    SimpleMeterRegistry r = new SimpleMeterRegistry();
    EventCounters stale = new EventCounters(r, id -> true); // the status, read late, says FAILED
    stale.accept(new Event("e5", EventType.WORK_FAILED, Instant.EPOCH, "default", "retried", null, 1, 3, 10L, "x"));
    assertEquals(0, r.get("gowork.work.latency").tag("outcome", "failed").timer().count(),
        "a failure followed by a retry is no outcome");
  }

  @Test
  void latencyIsAlsoAHistogramWithFixedBucketsThatPrometheusCanAggregate() {
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    EventCounters c = new EventCounters(prometheus, id -> false);
    c.accept(event(EventType.WORK_COMPLETE, "a", 7L));
    c.accept(event(EventType.WORK_COMPLETE, "b", 1_500L));
    String text = prometheus.scrape();
    for (String line : new String[] {
        "gowork_work_duration_seconds_bucket{outcome=\"completed\",le=\"0.005\"} 0",
        "gowork_work_duration_seconds_bucket{outcome=\"completed\",le=\"0.01\"} 1",
        "gowork_work_duration_seconds_bucket{outcome=\"completed\",le=\"2.5\"} 2",
        "gowork_work_duration_seconds_bucket{outcome=\"completed\",le=\"3600.0\"} 2",
        "gowork_work_duration_seconds_count{outcome=\"completed\"} 2",
        "gowork_work_latency_seconds{outcome=\"completed\",quantile=\"0.5\"}"}) {
      org.junit.jupiter.api.Assertions.assertTrue(text.contains(line), line + " in\n" + text);
    }
  }
}
