package dev.gowork.cli.soak;

import dev.gowork.broker.ErrorLines;
import dev.gowork.cli.demo.DemoPlan;
import dev.gowork.cli.demo.DataFolder;
import dev.gowork.cli.demo.TemporaryData;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import dev.gowork.worker.runtime.WorkerSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gowork soak}: many items through worker replicas that are killed at random, then a ledger check. */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"A fault soak: work through replicas killed at random, then a check of every outcome.",
        "Runs 50,000 work items through 3 worker replicas while killing a random replica with SIGKILL "
            + "every 10 s (and starting a replacement), then checks the ledger: reads the whole events topic "
            + "(read_committed, from the beginning) and verifies that every accepted work id has exactly one "
            + "terminal event (work_complete, work_timeout, work_dead; work_failed when maxAttempts is 1), "
            + "none missing, none doubled, and none for an id that was never accepted.",
        "Starts a coordinator (with its embedded Kafka) and the replicas as child processes and stops "
            + "everything it started, also on failure or Ctrl-C. Exits 0 only when the ledger is clean.",
        "With --coordinators N (2 or more) it starts a Kafka broker of their own (gowork kafka) and N coordinators "
            + "on it; --kill coordinators (or both) then kills a coordinator with SIGKILL and restarts it with its "
            + "id and port, at once or after 25 s (chosen by the seed), so that both recovery paths run: the "
            + "replacement aborting its own open transaction, and the other coordinators taking over and fencing it."},
    footer = {"", "Environment: GOWORK_CONCURRENCY (default: number of cores). Other GOWORK_* variables are not "
        + "passed to the children, so the soak never touches a real coordinator's settings or data.",
        "Examples: gowork soak", "          gowork soak --items 3000 --kill-every 2 --handler sleep --sleep-ms 20",
        "          gowork soak --coordinators 2 --kill coordinators -n 20000 --kill-every 20"})
public final class SoakCommand implements Callable<Integer> {
  @Option(names = {"-n", "--items"}, paramLabel = "N", description = "Work items to run (default 50000).")
  Integer items;

  @Option(names = {"-r", "--replicas"}, paramLabel = "N", description = "Worker replicas kept running (default 3).")
  Integer replicas;

  @Option(names = "--kill-every", paramLabel = "SECONDS",
      description = "Kill a random replica with SIGKILL this often while items are unfinished (default 10; 0: never).")
  Integer killEvery;

  @Option(names = "--max-kills", paramLabel = "N", description = "Stop killing after N kills (default 0: no limit).")
  Integer maxKills;

  @Option(names = "--coordinators", paramLabel = "N",
      description = "Coordinators (default 1, with its embedded Kafka; 2 or more share a Kafka broker of their own).")
  Integer coordinators;

  @Option(names = "--kill", paramLabel = "workers|coordinators|both",
      description = "What the kills hit (default workers; coordinators and both need --coordinators 2 or more).")
  String kill;

  @Option(names = "--handler", paramLabel = "echo|sleep", description = "The workers' built-in handler (default echo).")
  String handler;

  @Option(names = "--sleep-ms", paramLabel = "MS", description = "How long each item sleeps with --handler sleep (default 10).")
  Integer sleepMs;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
      description = "Items each replica runs at once (env GOWORK_CONCURRENCY; default: cores).")
  Integer concurrency;

  @Option(names = "--max-attempts", paramLabel = "N", description = "Each item's maxAttempts (default 3).")
  Integer maxAttempts;

  @Option(names = "--work-timeout", paramLabel = "SECONDS", description = "Each item's deadline (default 1800).")
  Integer workTimeout;

  @Option(names = "--seed", paramLabel = "N", description = "Seeds the choice of victims (default: random; printed).")
  Integer seed;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Kafka data and logs (default: a fresh temp folder; its Kafka data is deleted at the end, the logs stay).")
  Path dataDir;

  @Option(names = "--ready-timeout", paramLabel = "SECONDS",
      description = "How long the coordinator and the first replicas may take to be ready (default 180).")
  Integer readyTimeout;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "How long the items may take once submitted (default 1800).")
  Integer timeout;

  @Option(names = "--settle", paramLabel = "SECONDS",
      description = "Wait after the last item finished, before the ledger check, for late duplicates (default 5).")
  Integer settle;

  @Option(names = "--ledger-timeout", paramLabel = "SECONDS",
      description = "How long the ledger check may read the events topic (default 120).")
  Integer ledgerTimeout;

  private final CliContext context;

  public SoakCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    SoakPlan plan = plan();
    try (TemporaryData data = TemporaryData.of(plan.cluster().dataDir(), dataDir == null)) {
      return exitCode(new RunSoak(context, plan).call());
    }
  }

  /** 0 when the ledger is clean, else 1. */
  static int exitCode(RunSoak.Outcome outcome) {
    return outcome.ledger().clean() ? 0 : CliException.FAILED;
  }

  SoakPlan plan() {
    Settings s = context.settings();
    int n = s.integer("--items", items, null, 50_000, 1, 1_000_000);
    int r = s.integer("--replicas", replicas, null, 3, 1, 32);
    int c = s.integer("--concurrency", concurrency, "GOWORK_CONCURRENCY",
        Math.min(Runtime.getRuntime().availableProcessors(), WorkerSettings.MAX_CONCURRENCY), 1,
        WorkerSettings.MAX_CONCURRENCY);
    String h = s.string("--handler", handler, null, "echo").toLowerCase(Locale.ROOT);
    if (!h.equals("echo") && !h.equals("sleep")) {
      throw CliException.usage("--handler must be echo or sleep; was " + ErrorLines.quoted("--handler", h));
    }
    int workSeconds = s.integer("--work-timeout", workTimeout, null, 1800, 1, 86_400);
    long every = s.integer("--kill-every", killEvery, null, 10, 0, 86_400) * 1000L;
    int kills = s.integer("--max-kills", maxKills, null, 0, 0, 1_000_000);
    int attempts = s.integer("--max-attempts", maxAttempts, null, 3, 1, 100);
    int ms = s.integer("--sleep-ms", sleepMs, null, 10, 0, 60_000);
    long theSeed = seed != null ? s.integer("--seed", seed, null, 0, 0, Integer.MAX_VALUE)
        : new SecureRandom().nextInt(Integer.MAX_VALUE);
    int coordinatorCount = s.integer("--coordinators", coordinators, null, 1, 1, 8);
    Victims.Target target = Victims.Target.of(s.string("--kill", kill, null, "workers"));
    if (target != Victims.Target.WORKERS && coordinatorCount < 2) {
      throw CliException.usage("--kill " + target.id() + " needs --coordinators 2 or more (one coordinator runs "
          + "the embedded Kafka, and a soak without a live coordinator cannot go on); --coordinators was " + coordinatorCount);
    }
    Duration ready = Duration.ofSeconds(s.integer("--ready-timeout", readyTimeout, null, 180, 1, 3600));
    Duration run = Duration.ofSeconds(s.integer("--timeout", timeout, null, 1800, 1, 86_400));
    Duration wait = Duration.ofSeconds(s.integer("--settle", settle, null, 5, 0, 600));
    Duration read = Duration.ofSeconds(s.integer("--ledger-timeout", ledgerTimeout, null, 120, 1, 3600));
    DemoPlan cluster = DemoPlan.local(n, r, c, workSeconds, DataFolder.create(dataDir, "gowork-soak-"), context.env());
    return new SoakPlan(cluster, h, ms, attempts, every, kills, theSeed, coordinatorCount, target, ready, run, read, wait);
  }
}
