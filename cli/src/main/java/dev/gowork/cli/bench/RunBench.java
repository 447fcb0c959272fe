package dev.gowork.cli.bench;

import dev.gowork.cli.demo.TemporaryData;
import dev.gowork.coordinator.CoordinatorService;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One {@code gowork bench} run: starts the broker when no Kafka was given ({@link BenchBroker}), the
 * coordinator service, the GoWork loop and, with {@code --raw}, the raw loop on the same broker;
 * warms each up, then runs burst and paced on each, printing a progress line per second and a
 * {@code RESULT} line per loop and workload, then {@code RATIO} lines.
 */
final class RunBench {
  /** With {@code --warmup-seconds}, the paced workload first runs this long unmeasured. */
  private static final int PACED_WARMUP_SECONDS = 15;
  private final BenchPlan plan;
  private final PrintStream out;
  private final PrintStream err;
  private final TemporaryData data;

  RunBench(BenchPlan plan, PrintStream out, PrintStream err, TemporaryData data) {
    this.plan = plan;
    this.data = data;
    this.out = out;
    this.err = err;
  }

  /** Runs everything; returns the outcomes in the order printed. */
  List<Outcome> run() {
    List<Outcome> gowork = new ArrayList<>();
    List<Outcome> raw = new ArrayList<>();
    err.println("bench: " + plan);
    if (plan.warmupSeconds() == 0) {
      err.println("bench: with --warmup-seconds 0 the figures include the JIT compiling the broker, the clients and"
          + " the coordinator (about two minutes on 2 cores); the default, 120, measures the steady state");
    } else {
      err.println("bench: warming up for " + plan.warmupSeconds() + " s per loop before measuring (--warmup-seconds;"
          + " 0 measures a cold start)");
    }
    try (BenchBroker broker = BenchBroker.start(plan, err, data);
        CoordinatorService coordinator =
            CoordinatorService.start(GoWorkLoop.coordinatorSettings(plan, broker.bootstrapServers()))) {
      Workloads workloads = new Workloads(err, plan.batch(), plan.senders(), plan.timeout(), broker);
      String bootstrap = coordinator.bootstrapServers();
      Sink sink = new Sink();
      if (plan.gowork()) {
        try (GoWorkLoop loop = new GoWorkLoop(plan, coordinator, sink)) {
          loop.startWorkers();
          gowork.addAll(measure(loop, sink, workloads));
        }
      }
      if (plan.raw()) {
        Sink rawSink = new Sink();
        try (RawLoop loop = new RawLoop(plan, bootstrap, rawSink)) {
          raw.addAll(measure(loop, rawSink, workloads));
        }
      }
    }
    List<Outcome> all = new ArrayList<>(gowork);
    all.addAll(raw);
    all.forEach(o -> out.println(o.resultLine()));
    for (int i = 0; i < Math.min(gowork.size(), raw.size()); i++) {
      out.println(gowork.get(i).ratioLine(raw.get(i)));
    }
    return all;
  }

  private List<Outcome> measure(Loop loop, Sink sink, Workloads workloads) {
    List<Outcome> outcomes = new ArrayList<>();
    long warmUntil = System.nanoTime() + plan.warmupSeconds() * 1_000_000_000L;
    if (plan.warmup() > 0) {
      do {
        workloads.burst(loop, sink.to(new Tracker()), plan.warmup());
      } while (System.nanoTime() - warmUntil < 0);
    }
    if (plan.burst()) {
      outcomes.add(report(workloads.burst(loop, sink.to(new Tracker()), plan.items())));
    }
    if (plan.paced() && plan.warmupSeconds() > 0) {
      // A trickle runs code a burst does not (one-item adds, small fetches and commits): warm it too.
      workloads.paced(loop, sink.to(new Tracker()), Math.max(1, plan.rate() * PACED_WARMUP_SECONDS), plan.rate());
    }
    if (plan.paced()) {
      outcomes.add(report(workloads.paced(loop, sink.to(new Tracker()), plan.pacedItems(), plan.rate())));
    }
    return outcomes;
  }

  private Outcome report(Outcome o) {
    err.println("  " + o.resultLine());
    return o;
  }

  /** Routes completions (and GoWork's stage times) to the current workload's tracker. */
  static final class Sink implements Consumer<String> {
    private volatile Tracker tracker = new Tracker();

    Tracker to(Tracker t) {
      tracker = t;
      return t;
    }

    @Override
    public void accept(String id) {
      tracker.complete(id);
    }

    /** See {@link Tracker#stages}. */
    void stages(long createdToApplied, long appliedToHandler) {
      tracker.stages(createdToApplied, appliedToHandler);
    }
  }
}
