package dev.gowork.coordinator.metrics;

import dev.gowork.coordinator.auth.WorkerState;
import dev.gowork.coordinator.auth.WorkerSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Queue sizes by queue and workers by state, computed once per scrape (listing workers walks the
 * registry, so it is not done per gauge read).
 */
final class StateGauges {
  private final MultiGauge queueSize;
  private final Map<WorkerState, AtomicLong> workers = new EnumMap<>(WorkerState.class);
  private final Supplier<Map<String, Long>> queueSizes;
  private final Supplier<List<WorkerSummary>> workerList;

  StateGauges(MeterRegistry registry, Supplier<Map<String, Long>> queueSizes,
      Supplier<List<WorkerSummary>> workerList) {
    this.queueSizes = queueSizes;
    this.workerList = workerList;
    queueSize = MultiGauge.builder("gowork.queue.size")
        .description("Work queued, running or waiting to retry, per queue").register(registry);
    for (WorkerState s : WorkerState.values()) {
      AtomicLong n = new AtomicLong();
      workers.put(s, n);
      Gauge.builder("gowork.workers", n, AtomicLong::get).description("Known workers by handshake state")
          .tag("state", s.wireName()).register(registry);
    }
  }

  synchronized void refresh() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    queueSizes.get().forEach((queue, size) -> rows.add(MultiGauge.Row.of(Tags.of("queue", queue), size)));
    queueSize.register(rows, true);
    Map<WorkerState, Long> counts = new EnumMap<>(WorkerState.class);
    for (WorkerSummary w : workerList.get()) {
      counts.merge(w.state(), 1L, Long::sum);
    }
    workers.forEach((state, n) -> n.set(counts.getOrDefault(state, 0L)));
  }
}
