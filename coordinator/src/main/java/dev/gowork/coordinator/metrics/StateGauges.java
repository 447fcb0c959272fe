package dev.gowork.coordinator.metrics;

import dev.gowork.coordinator.auth.WorkerState;
import dev.gowork.coordinator.auth.WorkerSummary;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.work.QueueLoad;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Queue sizes and latencies by queue, workers by state, and the queues' share groups as last counted, computed
 * once per scrape (listing workers walks the registry and the latencies walk the work table, so neither is done
 * per gauge read).
 */
final class StateGauges {
  private final MultiGauge queueSize;
  private final MultiGauge queueLatency;
  private final MultiGauge groupMembers;
  private final MultiGauge groupMaxMembers;
  private final MultiGauge groupFull;
  private final Supplier<Map<String, GroupSize>> groups;
  private final Map<WorkerState, AtomicLong> workers = new EnumMap<>(WorkerState.class);
  private final Supplier<Map<String, Long>> queueSizes;
  private final Supplier<Map<String, QueueLoad>> queueLoads;
  private final Supplier<List<WorkerSummary>> workerList;

  StateGauges(MeterRegistry registry, Supplier<Map<String, Long>> queueSizes, Supplier<Map<String, QueueLoad>> queueLoads,
      Supplier<List<WorkerSummary>> workerList, Supplier<Map<String, GroupSize>> groups) {
    this.queueSizes = queueSizes;
    this.queueLoads = queueLoads;
    this.workerList = workerList;
    this.groups = groups;
    groupMembers = MultiGauge.builder("gowork.queue.share.group.members")
        .description("Members of the queue's share group as last counted: worker slots and HTTP hand-outs")
        .register(registry);
    groupMaxMembers = MultiGauge.builder("gowork.queue.share.group.max.members")
        .description("The brokers' group.share.max.size for the queue's share group, when known").register(registry);
    groupFull = MultiGauge.builder("gowork.queue.share.group.full")
        .description("1 while the queue's share group is full (members >= group.share.max.size): workers that join"
            + " get no work").register(registry);
    queueSize = MultiGauge.builder("gowork.queue.size")
        .description("Work queued, running or waiting to retry, per queue").register(registry);
    queueLatency = MultiGauge.builder("gowork.queue.latency").baseUnit("seconds")
        .description("How long the queue's oldest work that could run now has waited (queued, or added with a delay"
            + " that has come); 0 when none waits").register(registry);
    for (WorkerState s : WorkerState.values()) {
      AtomicLong n = new AtomicLong();
      workers.put(s, n);
      Gauge.builder("gowork.workers", n, AtomicLong::get).description("Known workers by handshake state")
          .tag("state", s.wireName()).register(registry);
    }
  }

  synchronized void refresh() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    Map<String, Long> sizes = queueSizes.get();
    sizes.forEach((queue, size) -> rows.add(MultiGauge.Row.of(Tags.of("queue", queue), size)));
    queueSize.register(rows, true);
    Map<String, QueueLoad> loads = queueLoads.get();
    List<MultiGauge.Row<?>> latencies = new ArrayList<>();
    for (String queue : union(sizes.keySet(), loads.keySet())) {
      QueueLoad load = loads.get(queue);
      latencies.add(MultiGauge.Row.of(Tags.of("queue", queue), load == null ? 0 : load.latencyMs() / 1000.0));
    }
    queueLatency.register(latencies, true);
    List<MultiGauge.Row<?>> members = new ArrayList<>();
    List<MultiGauge.Row<?>> limits = new ArrayList<>();
    List<MultiGauge.Row<?>> full = new ArrayList<>();
    groups.get().forEach((queue, g) -> {
      Tags tags = Tags.of("queue", queue);
      if (g.members() != null) {
        members.add(MultiGauge.Row.of(tags, g.members()));
      }
      if (g.maxMembers() != null) {
        limits.add(MultiGauge.Row.of(tags, g.maxMembers()));
      }
      full.add(MultiGauge.Row.of(tags, g.full() ? 1 : 0));
    });
    groupMembers.register(members, true);
    groupMaxMembers.register(limits, true);
    groupFull.register(full, true);
    Map<WorkerState, Long> counts = new EnumMap<>(WorkerState.class);
    for (WorkerSummary w : workerList.get()) {
      counts.merge(w.state(), 1L, Long::sum);
    }
    workers.forEach((state, n) -> n.set(counts.getOrDefault(state, 0L)));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
