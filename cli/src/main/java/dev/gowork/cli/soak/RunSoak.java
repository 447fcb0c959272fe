package dev.gowork.cli.soak;

import dev.gowork.broker.FileErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.DecodeError;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.demo.DataFolder;
import dev.gowork.cli.demo.LocalCluster;
import dev.gowork.cli.events.FollowEvents;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.submit.BatchSubmitter;
import dev.gowork.cli.submit.WorkOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One soak, start to end: cluster up (coordinator, then the replicas, all verified), the events topic
 * followed into a live {@link Ledger} for the progress line, items submitted on one thread while
 * {@link KillReplicas} kills and replaces replicas on another, until every accepted item has a
 * terminal event (or the time is up); then a pause for late events, the ledger check proper (a fresh
 * read of the whole topic, {@link ReadLedger}), the summary, and, when the ledger is not clean, the
 * evidence written to {@code <dataDir>/ledger-problems.txt}. {@link LocalCluster#close} stops every
 * child whatever happens. With several coordinators, {@link SoakCoordinators} runs them and their
 * broker, {@link SubmitToLiveCoordinators} submits, and the kills may hit coordinators too.
 *
 * <p>Threads: the follower fills the live ledger; the submitter (a pool thread) tells it which ids
 * were accepted; the killer reads it to kill only while items are unfinished; the calling thread
 * watches it and the children. The live ledger is synchronized; the check's ledger belongs to the
 * calling thread alone. Every thread this class starts is stopped and joined before it returns.
 */
final class RunSoak {
  /**
   * What one soak found.
   *
   * @param runNanos from the first submit to the last item's first terminal event (or to the timeout)
   * @param evidence every offending id and its events, or null when the ledger is clean
   * @param takeovers what the coordinators' logs say of takeovers and fences, or null with one coordinator
   */
  record Outcome(Ledger.Report ledger, List<KillReplicas.Kill> kills, long runNanos, boolean readToEnd,
      Path evidence, SoakCoordinators.Takeovers takeovers) {}

  /**
   * How long a coordinator killed for a late restart stays down: past the coordinators' session
   * timeout (10 s, then the others take its partitions over) and the fence (its transaction open for
   * over 10 s, checked every 5 s).
   */
  static final long LATE_RESTART_MILLIS = 25_000;

  private final CliContext context;
  private final SoakPlan plan;
  private final PrintStream out;
  private final String topic = Topics.of(Topics.DEFAULT_PREFIX).events();
  private int killsShown;

  RunSoak(CliContext context, SoakPlan plan) {
    this.context = context;
    this.plan = plan;
    this.out = context.out();
  }

  Outcome call() {
    out.printf("soak: %,d items, %d replicas x %d (handler %s), a SIGKILL%s every %s, maxAttempts %d, seed %d%n",
        plan.items(), plan.replicas(), plan.cluster().concurrency(), handlerText(), victimText(),
        plan.killEveryMillis() == 0 ? "never" : plan.killEveryMillis() / 1000 + " s", plan.maxAttempts(), plan.seed());
    if (plan.coordinators() > 1) {
      return callSeveral();
    }
    out.printf("soak: coordinator on http://127.0.0.1:%d, embedded Kafka on 127.0.0.1:%d, data and logs in %s%n",
        plan.cluster().httpPort(), plan.cluster().kafkaPort(), plan.cluster().dataDir());
    LocalCluster cluster = new LocalCluster(plan.cluster(), context.err(), "soak");
    try (cluster) {
      CoordinatorClient client = new CoordinatorClient(cluster.coordinatorUrl(), plan.cluster().apiToken(),
          "the soak's coordinator", Duration.ofSeconds(60));
      long began = System.nanoTime();
      cluster.startCoordinator(client, plan.readyTimeout());
      for (int i = 1; i <= plan.replicas(); i++) {
        cluster.startWorker("worker-" + i, plan.handler());
      }
      cluster.awaitWorkers(client, plan.readyTimeout());
      out.printf("soak: coordinator and %d replicas ready in %.1f s%n", plan.replicas(), (System.nanoTime() - began) / 1e9);
      return run(cluster, null, client);
    } catch (RuntimeException e) {
      context.err().println("soak: failed; the logs are in " + cluster.logDir());
      throw e;
    }
  }

  /** Several coordinators: a broker of their own, the coordinators, the workers spread over their URLs. */
  private Outcome callSeveral() {
    SoakCoordinators coordinators = new SoakCoordinators(plan.cluster(), plan.coordinators(), context.err());
    LocalCluster cluster = new LocalCluster(plan.cluster(), context.err(), "soak");
    List<String> where = new ArrayList<>();
    for (int i = 0; i < coordinators.size(); i++) {
      where.add(SoakCoordinators.instanceId(i) + " on " + coordinators.url(i));
    }
    out.printf("soak: coordinators %s (session timeout %s ms), Kafka (gowork kafka) on %s, data and logs in %s%n",
        String.join(", ", where), SoakCoordinators.SESSION_TIMEOUT_MS, coordinators.bootstrapServers(),
        plan.cluster().dataDir());
    try (coordinators; cluster) {
      long began = System.nanoTime();
      coordinators.start(plan.readyTimeout());
      for (int i = 1; i <= plan.replicas(); i++) {
        cluster.startWorker("worker-" + i, plan.handler(), coordinators.url(i % coordinators.size()),
            SoakCoordinators.WORKER_SETTINGS);
      }
      cluster.awaitWorkers(coordinators.client(0), plan.readyTimeout());
      out.printf("soak: %d coordinators and %d replicas ready in %.1f s%n", coordinators.size(), plan.replicas(),
          (System.nanoTime() - began) / 1e9);
      return run(cluster, coordinators, coordinators.client(0));
    } catch (RuntimeException e) {
      context.err().println("soak: failed; the logs are in " + cluster.logDir());
      throw e;
    }
  }

  /** @param coordinators the coordinators when there are several, else null (the cluster's one) */
  private Outcome run(LocalCluster cluster, SoakCoordinators coordinators, CoordinatorClient client) {
    Ledger live = new Ledger(false, System::nanoTime);
    FollowEvents follow = FollowEvents.open(cluster.bootstrapServers(), Map.of(), topic, true);
    follow.assign(Duration.ofSeconds(10));
    Thread following = daemon("FollowSoakEvents", () -> follow.run(new LiveSink(live)));
    following.start();
    KillReplicas killer = new KillReplicas(cluster, coordinators, plan.readyTimeout(), plan.handler(),
        plan.killEveryMillis(), plan.maxKills(), new Victims(plan.kill(), new Random(plan.seed()), LATE_RESTART_MILLIS),
        live, plan.replicas() + 1);
    Thread killing = daemon("KillReplicas", killer);
    long started = System.nanoTime();
    SubmitToLiveCoordinators across = coordinators == null ? null
        : new SubmitToLiveCoordinators(coordinators.clients(), workOptions(), plan.readyTimeout());
    CompletableFuture<List<String>> submitted = CompletableFuture.supplyAsync(
        () -> across == null ? submit(client, live) : across.submit(data(), "soak-" + plan.seed() + "-",
            ids -> live.accepted(ids, plan.maxAttempts())));
    try {
      if (plan.killEveryMillis() > 0) {
        killing.start();
      }
      boolean finished = watch(cluster, coordinators, live, killer, submitted, started);
      long runNanos = (finished ? live.lastAccountedNanos() : System.nanoTime()) - started;
      killer.stop();
      join(killing);
      showKills(killer.kills(), false); // a kill after the last look of the watch
      List<String> ids = submitted.get();
      out.printf("soak: %s; waiting %d s for late events, then checking the ledger%n", finished
          ? String.format("all %,d items finished", ids.size())
          : String.format("only %,d of %,d items finished within %d s (--timeout)", live.accounted(), ids.size(),
              plan.runTimeout().toSeconds()), plan.settle().toSeconds());
      Thread.sleep(plan.settle().toMillis());
      Ledger ledger = new Ledger(true, System::nanoTime);
      ledger.accepted(ids, plan.maxAttempts());
      boolean toEnd = ReadLedger.read(cluster.bootstrapServers(), topic, ledger, plan.ledgerTimeout());
      Ledger.Report report = ledger.report();
      Path evidence = report.clean() ? null : writeEvidence(ledger, report);
      Map<String, List<Ledger.Entry>> shown = new LinkedHashMap<>();
      SoakReport.offending(report, SoakReport.SHOWN).forEach(id -> shown.put(id, ledger.history(id)));
      out.print(SoakReport.summary(plan, report, killer.kills(), runNanos, toEnd, evidence, shown));
      SoakCoordinators.Takeovers takeovers = coordinators == null ? null : coordinators.takeovers();
      if (takeovers != null) {
        out.print(SoakReport.coordinators(killer.kills(), takeovers, across.resent()));
      }
      return new Outcome(report, killer.kills(), runNanos, toEnd, evidence, takeovers);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : CliException.failed(e.getCause().toString(), e.getCause());
    } finally {
      killer.stop();
      join(killing);
      follow.stop();
      join(following);
    }
  }

  private List<String> submit(CoordinatorClient client, Ledger live) {
    return new BatchSubmitter(client, workOptions(), WireCodec.defaults())
        .submit(data(), ids -> live.accepted(ids, plan.maxAttempts()));
  }

  private List<JsonNode> data() {
    List<JsonNode> data = new ArrayList<>(plan.items());
    for (int i = 0; i < plan.items(); i++) {
      ObjectNode item = JsonNodeFactory.instance.objectNode().put("n", i);
      data.add(plan.handler().equals("sleep") ? item.put("ms", plan.sleepMs()) : item);
    }
    return data;
  }

  private WorkOptions workOptions() {
    return new WorkOptions(null, plan.cluster().workTimeoutSeconds(), plan.maxAttempts());
  }

  /** Shows progress until every item is finished (true) or the time is up (false). */
  private boolean watch(LocalCluster cluster, SoakCoordinators coordinators, Ledger live, KillReplicas killer,
      CompletableFuture<List<String>> submitted, long started) throws InterruptedException, ExecutionException {
    boolean console = context.interactive();
    long every = console ? 200 : 2_000;
    long deadline = started + plan.runTimeout().toNanos();
    long lastAt = started;
    int lastDone = 0;
    while (!(submitted.isDone() && live.accounted() >= submitted.get().size())) {
      cluster.checkAlive();
      if (coordinators != null) {
        coordinators.checkAlive();
      }
      if (killer.failure() != null) {
        throw CliException.failed("could not replace a killed process: " + killer.failure().getMessage(),
            killer.failure());
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(every);
      List<KillReplicas.Kill> kills = killer.kills();
      showKills(kills, console);
      long now = System.nanoTime();
      int done = live.accounted();
      double rate = (done - lastDone) / Math.max((now - lastAt) / 1e9, 1e-3);
      lastAt = now;
      lastDone = done;
      out.print(console ? "\r" + SoakReport.bar(done, plan.items(), rate, kills.size())
          : SoakReport.plain(done, plan.items(), rate, kills.size()) + System.lineSeparator());
      out.flush();
    }
    if (console) {
      out.println();
    }
    return true;
  }

  private void showKills(List<KillReplicas.Kill> kills, boolean console) {
    for (; killsShown < kills.size(); killsShown++) {
      out.print((console ? "\r" : "") + SoakReport.kill(kills.get(killsShown), plan.items()) + System.lineSeparator());
    }
  }

  private Path writeEvidence(Ledger ledger, Ledger.Report report) {
    Path file = plan.cluster().dataDir().resolve("ledger-problems.txt");
    StringBuilder b = new StringBuilder();
    for (String id : SoakReport.offending(report, Integer.MAX_VALUE)) {
      b.append(SoakReport.problem(report, id)).append(' ').append(id).append('\n');
      ledger.history(id).forEach(e -> b.append("    ").append(e).append('\n'));
    }
    try {
      Files.writeString(file, b, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      context.err().println("soak: cannot write " + file + ": " + FileErrors.why(e, file));
      return null;
    }
  }

  private String victimText() {
    return switch (plan.kill()) {
      case WORKERS -> "";
      case COORDINATORS -> " of a coordinator";
      case BOTH -> " of a worker or a coordinator";
    };
  }

  private String handlerText() {
    return plan.handler().equals("sleep") ? "sleep " + plan.sleepMs() + " ms" : plan.handler();
  }

  private static Thread daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }

  private static void join(Thread t) {
    try {
      if (t.isAlive()) {
        t.join(15_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Feeds the live ledger from the follower's thread. */
  private record LiveSink(Ledger ledger) implements FollowEvents.Sink {
    @Override
    public boolean accept(Event event, byte[] raw) {
      ledger.record(event, null);
      return true;
    }

    @Override
    public void rejected(String where, DecodeError error) {
      ledger.undecodable();
    }
  }
}
