package dev.gowork.cli.bench;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.cli.demo.DataFolder;
import dev.gowork.cli.demo.TemporaryData;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import dev.gowork.worker.runtime.WorkerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gowork bench}: throughput and latency of the whole loop, optionally side by side with raw Kafka. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measures throughput and latency of the whole loop, optionally against plain Kafka.",
        "No-op work items take the real path: add -> work topic -> worker replicas via the share group "
            + "-> signed results -> coordinator -> work_complete handler.",
        "burst: N items as fast as possible (throughput from the first add to the last work_complete).",
        "paced: items at a fixed rate (latency from add to work_complete, p50/p99/p99.9).",
        "--raw runs the same workloads on plain kafka-clients against the same broker and prints ratios.",
        "Prints a progress line per second (stderr) and, at the end, one RESULT line per loop and workload."},
    footer = {"", "Runs on an embedded broker (a child JVM, a fresh temp folder) unless --bootstrap-servers or "
        + "GOWORK_BOOTSTRAP_SERVERS names one; GOWORK_KAFKA_* client properties apply to every client.",
        "Examples: gowork bench --raw", "          gowork bench --in-flight 1000000"})
public final class BenchCommand implements Callable<Integer> {
  @Option(names = {"-n", "--items"}, paramLabel = "N", description = "Items of the burst workload (default 100000).")
  Integer items;

  @Option(names = "--workload", paramLabel = "burst|paced|both", description = "Which workloads (default both).")
  String workload;

  @Option(names = "--rate", paramLabel = "PER_S", description = "Rate of the paced workload (default 1000).")
  Integer rate;

  @Option(names = "--paced-items", paramLabel = "N",
      description = "Items of the paced workload (default: 20 s worth at --rate, at most N).")
  Integer pacedItems;

  @Option(names = "--workers", paramLabel = "W", description = "Worker replicas (default 2).")
  Integer workers;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "C", description = "Slots per worker replica (default 4).")
  Integer concurrency;

  @Option(names = "--prefetch", paramLabel = "K",
      description = "Records each worker slot acquires per share fetch and runs back to back (the workers' "
          + "GOWORK_BATCH_SIZE, 1-1000; default 128).")
  Integer prefetch;

  @Option(names = "--mode", paramLabel = "threads|processes",
      description = "Workers as threads of this JVM (default) or as child processes.")
  String mode;

  @Option(names = "--raw", description = "Also run the workloads on plain kafka-clients and print GoWork/raw ratios.")
  boolean raw;

  @Option(names = "--raw-only", description = "Run only the raw loop (to tune its settings).")
  boolean rawOnly;

  @Option(names = "--in-flight", paramLabel = "N",
      description = "Instead: add N items with no worker and report the coordinator's heap after GC.")
  Integer inFlight;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka to use (env GOWORK_BOOTSTRAP_SERVERS; default: an embedded broker).")
  String bootstrapServers;

  @Option(names = "--broker", paramLabel = "process|in-process",
      description = "Without --bootstrap-servers: run the embedded broker in a child JVM (default), apart from the "
          + "coordinator and workers under test as in any deployment, or inside this JVM.")
  String broker;

  @Option(names = "--warmup", paramLabel = "N", description = "Items run before measuring each loop (default 10000).")
  Integer warmup;

  @Option(names = "--warmup-seconds", paramLabel = "S",
      description = "Repeat the warm-up until S seconds after each loop started, and run 15 s of the paced "
          + "workload unmeasured before measuring it (default 120: on 2 cores the JIT compiles the broker, the clients "
          + "and the coordinator for about 2 minutes, and a long-running service does not pay that; 0 measures a cold "
          + "start, in a minute).")
  Integer warmupSeconds;

  @Option(names = "--batch", paramLabel = "N", description = "Items per addAll / producer batch (default 1000).")
  Integer batch;

  @Option(names = "--senders", paramLabel = "N", description = "Threads sending the burst (default 2).")
  Integer senders;

  @Option(names = "--data-bytes", paramLabel = "BYTES", description = "Size of each item's data (default 100).")
  Integer dataBytes;

  @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the work topics (default 3).")
  Integer partitions;

  @Option(names = "--raw-consumers", paramLabel = "N", description = "Share consumers of the raw loop (default: W).")
  Integer rawConsumers;

  @Option(names = "--raw-acquire-mode", paramLabel = "MODE",
      description = "share.acquire.mode of the raw loop: batch_optimized (default) or record_limit.")
  String rawAcquireMode;

  @Option(names = "--raw-max-poll-records", paramLabel = "N", description = "max.poll.records of the raw loop (default 500).")
  Integer rawMaxPoll;

  @Option(names = "--linger-ms", paramLabel = "MS", description = "linger.ms of the raw loop's producers (default 1).")
  Integer lingerMs;

  @Option(names = "--fetch-max-wait-ms", paramLabel = "MS",
      description = "fetch.max.wait.ms of the raw loop's consumers (default 10).")
  Integer fetchMaxWaitMs;

  @Option(names = "--run-handlers-at", paramLabel = "WHEN",
      description = "When the coordinator runs the work_complete handler the bench times: commit (default) or apply "
          + "(see GOWORK_RUN_HANDLERS_AT).")
  String runHandlersAt;

  @Option(names = "--commit-interval-ms", paramLabel = "MS",
      description = "How often at most the coordinator starts a transaction (default 5; 0: back to back; "
          + "see GOWORK_COMMIT_INTERVAL_MS).")
  Integer commitIntervalMs;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Embedded broker data and worker logs (default: a temp folder; its broker data is deleted at the end).")
  Path dataDir;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest a workload may take (default 600).")
  Integer timeout;

  private final CliContext context;

  public BenchCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    BenchPlan plan = plan();
    try (TemporaryData data = TemporaryData.of(plan.dataDir(), dataDir == null)) {
      if (inFlight != null) {
        new InFlightMemory(plan, context.settings().integer("--in-flight", inFlight, null, 1_000_000, 1, 10_000_000),
            context.out(), context.err(), data).run();
      } else {
        new RunBench(plan, context.out(), context.err(), data).run();
      }
      return 0;
    } catch (IllegalStateException | KafkaException e) {
      throw CliException.failed("bench: " + e.getMessage(), e);
    }
  }

  BenchPlan plan() {
    Settings s = context.settings();
    int n = s.integer("--items", items, null, 100_000, 1, 100_000_000);
    int r = s.integer("--rate", rate, null, 1_000, 1, 1_000_000);
    int paced = s.integer("--paced-items", pacedItems, null, (int) Math.min(n, 20L * r), 1, 100_000_000);
    String which = s.string("--workload", workload, null, "both").toLowerCase(Locale.ROOT);
    if (!which.matches("burst|paced|both")) {
      throw CliException.usage("--workload must be burst, paced or both; was "
          + ErrorLines.quoted("--workload", which));
    }
    String m = s.string("--mode", mode, null, "threads").toLowerCase(Locale.ROOT);
    if (!m.matches("threads|processes")) {
      throw CliException.usage("--mode must be threads or processes; was " + ErrorLines.quoted("--mode", m));
    }
    String brokerMode = s.string("--broker", broker, null, "process").toLowerCase(Locale.ROOT);
    if (!brokerMode.matches("process|in-process")) {
      throw CliException.usage("--broker must be process or in-process; was "
          + ErrorLines.quoted("--broker", brokerMode));
    }
    String acquire = s.string("--raw-acquire-mode", rawAcquireMode, null, "batch_optimized");
    if (!acquire.matches("batch_optimized|record_limit")) {
      throw CliException.usage("--raw-acquire-mode must be batch_optimized or record_limit; was "
          + ErrorLines.quoted("--raw-acquire-mode", acquire));
    }
    String handlersAt = s.string("--run-handlers-at", runHandlersAt, "GOWORK_RUN_HANDLERS_AT", "commit")
        .toLowerCase(Locale.ROOT);
    if (!handlersAt.matches("commit|apply")) {
      throw CliException.usage("--run-handlers-at must be commit or apply; was "
          + ErrorLines.quoted("--run-handlers-at", handlersAt));
    }
    int w = s.integer("--workers", workers, null, 2, 1, 64);
    Map<String, String> kafkaEnv = new HashMap<>();
    context.env().forEach((k, v) -> {
      if (k.startsWith("GOWORK_KAFKA_") && !k.equals("GOWORK_KAFKA_PROPERTIES_FILE")) {
        kafkaEnv.put(k, v);
      }
    });
    String suffix = Long.toHexString(System.nanoTime() & 0xffffffL);
    return new BenchPlan(n, paced, r, !which.equals("paced"), !which.equals("burst"), raw || rawOnly, !rawOnly, w,
        s.integer("--concurrency", concurrency, null, 4, 1, WorkerSettings.MAX_CONCURRENCY),
        s.integer("--prefetch", prefetch, null, 128, 1, WorkerSettings.MAX_BATCH_SIZE), m.equals("processes"),
        s.integer("--warmup", warmup, null, 10_000, 0, 10_000_000),
        s.integer("--warmup-seconds", warmupSeconds, null, 120, 0, 3600), s.integer("--batch", batch, null, 1_000, 1, 10_000),
        s.integer("--senders", senders, null, 2, 1, 64), s.integer("--data-bytes", dataBytes, null, 100, 16, 1 << 20),
        s.integer("--partitions", partitions, null, 3, 1, 1000), 3600, Duration.ofMillis(500),
        Duration.ofSeconds(s.integer("--timeout", timeout, null, 600, 1, 86_400)),
        s.integer("--linger-ms", lingerMs, null, 1, 0, 1000),
        s.integer("--fetch-max-wait-ms", fetchMaxWaitMs, null, 10, 0, 5000),
        s.integer("--raw-consumers", rawConsumers, null, w, 1, 200), acquire,
        s.integer("--raw-max-poll-records", rawMaxPoll, null, 500, 1, 10_000), false, handlersAt,
        s.integer("--commit-interval-ms", commitIntervalMs, "GOWORK_COMMIT_INTERVAL_MS", 5, 0, 10_000),
        Optional.ofNullable(s.string("--bootstrap-servers", bootstrapServers, "GOWORK_BOOTSTRAP_SERVERS", null)),
        brokerMode.equals("process"), DataFolder.create(dataDir, "gowork-bench-"), "bench-" + suffix, Signatures.randomToken(), Signatures.randomToken(),
        Map.copyOf(kafkaEnv),
        KafkaClients.passThroughFromEnv(kafkaEnv));
  }

}
