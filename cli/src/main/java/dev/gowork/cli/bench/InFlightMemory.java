package dev.gowork.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.cli.demo.TemporaryData;
import dev.gowork.coordinator.CoordinatorService;
import dev.gowork.coordinator.Work;
import dev.gowork.coordinator.WorkServer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code gowork bench --in-flight N}: the coordinator's heap with N items queued and no worker.
 * Measures used heap after a full GC before and after adding them; the difference is what the
 * coordinator keeps per item in flight (a broker embedded in this JVM, with {@code --broker in-process},
 * is in both figures).
 */
final class InFlightMemory {
  private static final int BATCH = 10_000;

  private final BenchPlan plan;
  private final int items;
  private final PrintStream out;
  private final PrintStream err;
  private final TemporaryData data;

  InFlightMemory(BenchPlan plan, int items, PrintStream out, PrintStream err, TemporaryData data) {
    this.plan = plan;
    this.data = data;
    this.items = items;
    this.out = out;
    this.err = err;
  }

  String run() {
    try (BenchBroker broker = BenchBroker.start(plan, err, data);
        CoordinatorService coordinator =
            CoordinatorService.start(GoWorkLoop.coordinatorSettings(plan, broker.bootstrapServers()))) {
      WorkServer server = coordinator.workServer();
      JsonNode data = Payload.json(plan.dataBytes());
      long before = usedAfterGc();
      long start = System.nanoTime();
      for (int added = 0; added < items; ) {
        int n = Math.min(BATCH, items - added);
        List<Work> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(Work.create(data, plan.workTimeoutSeconds()));
        }
        server.addAll(batch);
        added += n;
        if (added % 100_000 == 0 || added == items) {
          err.printf(Locale.ROOT, "  in flight: %d/%d added, %.1f s%n", added, items, (System.nanoTime() - start) / 1e9);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long after = usedAfterGc();
      long queued = server.queueSize();
      String line = String.format(Locale.ROOT, "RESULT gowork workload=in_flight n=%d queued=%d "
          + "heap_used_after_gc_mib=%d heap_before_mib=%d coordinator_bytes_per_item=%d add_per_s=%.0f max_heap_mib=%d "
          + "load1=%.2f", items, queued, after >> 20, before >> 20, items == 0 ? 0 : (after - before) / items,
          items / seconds, Runtime.getRuntime().maxMemory() >> 20, Workloads.loadAverage());
      out.println(line);
      return line;
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Workloads.sleepMillis(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
