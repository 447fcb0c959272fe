package dev.gowork.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.events.FollowEvents;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.submit.BatchSubmitter;
import dev.gowork.cli.submit.WorkOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One demo, start to end: cluster up, events followed, items submitted, progress shown until every
 * item has an outcome (or the time is up, or a child dies), summary printed, cluster stopped.
 * Whatever happens, {@link LocalCluster#close} stops the children; on failure the log paths are printed.
 */
final class RunDemo {
  private final CliContext context;
  private final DemoPlan plan;
  private final Duration readyTimeout;
  private final Duration runTimeout;
  private final PrintStream out;

  RunDemo(CliContext context, DemoPlan plan, Duration readyTimeout, Duration runTimeout) {
    this.context = context;
    this.plan = plan;
    this.readyTimeout = readyTimeout;
    this.runTimeout = runTimeout;
    this.out = context.out();
  }

  int call() {
    out.printf("demo: coordinator on http://127.0.0.1:%d, embedded Kafka on 127.0.0.1:%d, data and logs in %s%n",
        plan.httpPort(), plan.kafkaPort(), plan.dataDir());
    LocalCluster cluster = new LocalCluster(plan, context.err());
    try (cluster) {
      CoordinatorClient client = new CoordinatorClient(cluster.coordinatorUrl(), plan.apiToken(), "the demo's coordinator",
          Duration.ofSeconds(60));
      long began = System.nanoTime();
      cluster.startCoordinator(client, readyTimeout);
      out.printf("demo: coordinator ready in %.1f s; starting %d workers x %d concurrent items (handler echo)%n",
          (System.nanoTime() - began) / 1e9, plan.workers(), plan.concurrency());
      began = System.nanoTime();
      cluster.startWorkers();
      cluster.awaitWorkers(client, readyTimeout);
      out.printf("demo: %d workers verified in %.1f s%n", plan.workers(), (System.nanoTime() - began) / 1e9);
      return followAndSubmit(cluster, client);
    } catch (RuntimeException e) {
      context.err().println("demo: failed; the logs are in " + cluster.logDir() + ": " + logNames(cluster));
      throw e;
    }
  }

  private int followAndSubmit(LocalCluster cluster, CoordinatorClient client) {
    Tally tally = new Tally(System::nanoTime);
    FollowEvents follow = FollowEvents.open(cluster.bootstrapServers(), Map.of(), Topics.of(Topics.DEFAULT_PREFIX).events(),
        false);
    follow.assign(Duration.ofSeconds(10));
    Thread following = new Thread(() -> follow.run(tally), "FollowDemoEvents");
    following.setDaemon(true);
    following.start();
    try {
      long started = System.nanoTime();
      out.printf("demo: submitting %,d items%n", plan.items());
      new BatchSubmitter(client, new WorkOptions(null, plan.workTimeoutSeconds(), null), WireCodec.defaults())
          .submit(items(plan.items()), ids -> tally.submitted(ids, System.currentTimeMillis()));
      out.printf("demo: submitted in %.1f s%n", (System.nanoTime() - started) / 1e9);
      watch(cluster, tally, started);
      Tally.Snapshot s = tally.snapshot();
      out.print(Summary.render(plan.items(), s, s.lastOutcomeNanos() - started, tally.latency(), tally.unknownLatency(),
          logs(cluster)));
      if (s.completed() != plan.items()) {
        context.err().printf("demo: %,d of %,d items did not complete%n", plan.items() - s.completed(), plan.items());
        return CliException.FAILED;
      }
      return 0;
    } finally {
      follow.stop();
      join(following);
    }
  }

  private void watch(LocalCluster cluster, Tally tally, long started) {
    try {
      watchUntilFinished(cluster, tally, started);
    } catch (RuntimeException e) {
      if (context.interactive()) {
        out.println();
      }
      throw e;
    }
  }

  private void watchUntilFinished(LocalCluster cluster, Tally tally, long started) {
    boolean console = context.interactive();
    long every = console ? 200_000_000L : 2_000_000_000L;
    long deadline = System.nanoTime() + runTimeout.toNanos();
    long lastAt = started;
    int lastDone = 0;
    while (!tally.allFinished(plan.items())) {
      cluster.checkAlive();
      if (System.nanoTime() - deadline > 0) {
        throw CliException.failed("only " + tally.snapshot().finished() + " of " + plan.items()
            + " items finished within " + runTimeout.toSeconds() + " s (--timeout)");
      }
      sleepNanos(every);
      long now = System.nanoTime();
      Tally.Snapshot s = tally.snapshot();
      double rate = (s.finished() - lastDone) / Math.max((now - lastAt) / 1e9, 1e-3);
      lastAt = now;
      lastDone = s.finished();
      if (console) {
        out.print("\r" + Progress.bar(s, plan.items(), rate));
      } else {
        out.println(Progress.plain(s, plan.items(), rate));
      }
      out.flush();
    }
    if (console) {
      Tally.Snapshot s = tally.snapshot();
      double average = s.finished() / Math.max((System.nanoTime() - started) / 1e9, 1e-3);
      out.print("\r" + Progress.bar(s, plan.items(), average) + System.lineSeparator());
    }
  }

  private static List<JsonNode> items(int n) {
    List<JsonNode> data = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      data.add(JsonNodeFactory.instance.objectNode().put("n", i));
    }
    return data;
  }

  private static List<Path> logs(LocalCluster cluster) {
    return cluster.children().stream().map(ChildProcess::log).toList();
  }

  private static String logNames(LocalCluster cluster) {
    return String.join(", ", cluster.children().stream().map(c -> c.log().getFileName().toString()).toList());
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
  }

  private static void join(Thread t) {
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
