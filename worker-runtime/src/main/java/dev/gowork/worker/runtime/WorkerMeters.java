package dev.gowork.worker.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A replica's meters (docs/worker.md lists them), each tagged with its queue. The counters read the
 * runtime's own at scrape time; only the handler timer is written on the work path.
 */
final class WorkerMeters {
  /** Histogram buckets of the handler time: from 1 ms to 1 h, so quantiles can be aggregated across replicas. */
  private static final Duration[] HANDLER_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5),
      Duration.ofMinutes(15), Duration.ofHours(1)};

  private WorkerMeters() {}

  /** The handler timer, registered with {@code registry}. */
  static Timer handlerTimer(MeterRegistry registry, String queue) {
    return Timer.builder("gowork.worker.handler.duration")
        .description("How long the handler ran per work item (from its start to its return or throw)")
        .tags(Tags.of("queue", queue)).serviceLevelObjectives(HANDLER_BUCKETS).register(registry);
  }

  /**
   * Registers the counters and gauges that read {@code stats} and {@code loop} (Micrometer holds them
   * weakly: the runtime keeps them) and the slot count.
   *
   * @return the meters, for the runtime to remove when it stops (so a replica started later with the
   *     same registry registers its own instead of finding these)
   */
  static List<Meter> bind(MeterRegistry registry, String queue, int slots, Stats stats, ConsumeWork loop) {
    Tags q = Tags.of("queue", queue);
    List<Meter> meters = new ArrayList<>();
    meters.add(result(registry, q, "completed", stats, Counters::processed));
    meters.add(result(registry, q, "failed", stats, Counters::failed));
    meters.add(result(registry, q, "timed_out", stats, Counters::timedOut));
    meters.add(FunctionCounter.builder("gowork.worker.records.rejected", stats, s -> s.snapshot().rejected())
        .description("Undecodable work records rejected (to the dead-letter topic when one is set)")
        .tags(q).register(registry));
    meters.add(FunctionCounter.builder("gowork.worker.records.released", stats, s -> s.snapshot().released())
        .description("Work records handed back undone, to be delivered again (see docs/worker.md)")
        .tags(q).register(registry));
    meters.add(FunctionCounter.builder("gowork.worker.records.cancelled", stats, s -> s.snapshot().cancelled())
        .description("Work records skipped or stopped because the work was cancelled (no result written)")
        .tags(q).register(registry));
    meters.add(FunctionCounter.builder("gowork.worker.records.duplicates", stats, s -> s.snapshot().duplicates())
        .description("Deliveries of work this replica had decided already, acknowledged without running "
            + "(see docs/reliability.md)").tags(q).register(registry));
    meters.add(Gauge.builder("gowork.worker.in.flight", stats, s -> s.snapshot().inFlight())
        .description("Work records this replica holds now").tags(q).register(registry));
    meters.add(Gauge.builder("gowork.worker.slots", stats, s -> slots)
        .description("Work items this replica runs at once at most (GOWORK_CONCURRENCY)").tags(q).register(registry));
    meters.add(Gauge.builder("gowork.worker.slots.refused", loop, ConsumeWork::refusedSlots)
        .description("Slots out of the queue's share group because it was full (group.share.max.size); they try "
            + "to join again every 30 s").tags(q).register(registry));
    return meters;
  }

  private static Meter result(MeterRegistry registry, Tags q, String status, Stats stats,
      ToDoubleFunction<Counters> value) {
    return FunctionCounter.builder("gowork.worker.results", stats, s -> value.applyAsDouble(s.snapshot()))
        .description("Results durably written to the results topic, by status").tags(q.and("status", status))
        .register(registry);
  }
}
