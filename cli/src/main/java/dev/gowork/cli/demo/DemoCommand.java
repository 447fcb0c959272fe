package dev.gowork.cli.demo;

import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.Settings;
import dev.gowork.worker.runtime.WorkerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gowork demo}: a coordinator, two workers and 10,000 work items on this machine, with a live count. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs a coordinator, 2 workers and 10,000 work items on this machine.",
        "Starts a coordinator (with its embedded Kafka) and worker replicas as child processes, submits "
            + "work items through the batch API, follows the events topic with a live progress line, prints "
            + "throughput and latency, and stops everything it started. Exits 0 only when every item completed."},
    footer = {"", "Environment: GOWORK_CONCURRENCY (default: number of cores). Other GOWORK_* variables "
        + "are not passed to the children, so the demo never touches a real coordinator's settings or data.",
        "Example: gowork demo --items 200"})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = {"-n", "--items"}, paramLabel = "N", description = "Work items to run (default 10000).")
  Integer items;

  @Option(names = "--workers", paramLabel = "N", description = "Worker replicas (default 2).")
  Integer workers;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
      description = "Items each worker runs at once (env GOWORK_CONCURRENCY; default: cores).")
  Integer concurrency;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Kafka data and logs (default: a fresh temp folder; its Kafka data is deleted at the end, the logs stay).")
  Path dataDir;

  @Option(names = "--work-timeout", paramLabel = "SECONDS", description = "Each item's deadline (default 300).")
  Integer workTimeout;

  @Option(names = "--ready-timeout", paramLabel = "SECONDS",
      description = "How long the coordinator may take to be ready (default 180).")
  Integer readyTimeout;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "How long the items may take once submitted (default 600).")
  Integer timeout;

  private final CliContext context;

  public DemoCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Settings s = context.settings();
    int n = s.integer("--items", items, null, 10_000, 1, 1_000_000);
    int w = s.integer("--workers", workers, null, 2, 1, 32);
    int c = s.integer("--concurrency", concurrency, "GOWORK_CONCURRENCY",
        Math.min(Runtime.getRuntime().availableProcessors(), WorkerSettings.MAX_CONCURRENCY), 1,
        WorkerSettings.MAX_CONCURRENCY);
    int workSeconds = s.integer("--work-timeout", workTimeout, null, 300, 1, 86_400);
    Duration ready = Duration.ofSeconds(s.integer("--ready-timeout", readyTimeout, null, 180, 1, 3600));
    Duration run = Duration.ofSeconds(s.integer("--timeout", timeout, null, 600, 1, 86_400));
    DemoPlan plan = DemoPlan.local(n, w, c, workSeconds, DataFolder.create(dataDir, "gowork-demo-"), context.env());
    try (TemporaryData data = TemporaryData.of(plan.dataDir(), dataDir == null)) {
      return new RunDemo(context, plan, ready, run).call();
    }
  }
}
