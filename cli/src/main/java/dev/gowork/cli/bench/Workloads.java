package dev.gowork.cli.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two workloads, run the same way on any {@link Loop}.
 *
 * <p><b>burst</b>: {@code n} items sent as fast as the loop accepts them, in batches of {@code batch}
 * from {@code senders} threads; throughput is measured from the first send to the last completion.
 * <b>paced</b>: items sent at a fixed rate; each item's latency counts from the moment the schedule
 * says it should be sent (not when the sender got to it), so a stalled sender shows up as latency
 * rather than hiding it (no coordinated omission).
 */
final class Workloads {
  private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Batches each burst sender keeps in flight (sent, not yet accepted). */
  private static final int BURST_IN_FLIGHT = 4;
  /** Batches the paced sender keeps in flight, so that it never waits for an add to be committed. */
  private static final int PACED_IN_FLIGHT = 256;

  private final PrintStream progress;
  private final int batch;
  private final int senders;
  private final Duration timeout;
  private final BenchBroker broker;

  /** @param broker the run's Kafka: its process's CPU counts in each workload's, and its death stops the run */
  Workloads(PrintStream progress, int batch, int senders, Duration timeout, BenchBroker broker) {
    this.progress = progress;
    this.broker = broker;
    this.batch = batch;
    this.senders = senders;
    this.timeout = timeout;
  }

  Outcome burst(Loop loop, Tracker tracker, int n) {
    try (ResourceMeter meter = new ResourceMeter(loop, broker::cpuNanos)) {
      ExecutorService pool = Executors.newFixedThreadPool(senders, r -> daemon(r, "SendBurst"));
      AtomicInteger left = new AtomicInteger(n);
      List<Future<?>> sending = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        sending.add(pool.submit(() -> {
          InFlight inFlight = new InFlight(BURST_IN_FLIGHT);
          int take;
          while ((take = takeUpTo(left, batch)) > 0) {
            inFlight.add(loop.send(take, id -> tracker.start(id, System.nanoTime())));
          }
          inFlight.awaitAll();
          return null;
        }));
      }
      pool.shutdown();
      awaitCompletion(loop, "burst", tracker, n, sending);
      return Outcome.of(loop.name(), "burst", tracker, meter, loadAverage());
    }
  }

  Outcome paced(Loop loop, Tracker tracker, int n, int ratePerSecond) {
    try (ResourceMeter meter = new ResourceMeter(loop, broker::cpuNanos)) {
      ExecutorService pool = Executors.newSingleThreadExecutor(r -> daemon(r, "SendPaced"));
      Future<?> sending = pool.submit(() -> {
        InFlight inFlight = new InFlight(PACED_IN_FLIGHT);
        long start = System.nanoTime();
        int sent = 0;
        while (sent < n) {
          long now = System.nanoTime();
          int due = (int) Math.min(n, (now - start) * ratePerSecond / 1_000_000_000L + 1);
          if (due > sent) {
            int from = sent;
            int[] next = {from};
            inFlight.add(loop.send(Math.min(due - from, batch), id -> tracker.start(id, start + next[0]++
                * 1_000_000_000L / ratePerSecond)));
            sent = next[0];
          } else {
            long wake = start + (long) sent * 1_000_000_000L / ratePerSecond;
            TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(wake - now, 1_000_000)));
          }
        }
        inFlight.awaitAll();
        return null;
      });
      pool.shutdown();
      awaitCompletion(loop, "paced " + ratePerSecond + "/s", tracker, n, List.of(sending));
      return Outcome.of(loop.name(), "paced", tracker, meter, loadAverage());
    }
  }

  private void awaitCompletion(Loop loop, String workload, Tracker tracker, int n, List<Future<?>> sending) {
    String what = loop.name() + " " + workload;
    String troubleShown = "";
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long nextLine = start + PROGRESS_NANOS;
    while (tracker.completed() < n) {
      broker.checkAlive();
      for (Future<?> f : sending) {
        if (f.isDone()) {
          rethrow(f);
        }
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        throw new IllegalStateException(what + ": only " + tracker.completed() + " of " + n
            + " items completed within " + timeout.toSeconds() + " s"
            + loop.trouble().map(t -> " (the loop met trouble: " + t + ")").orElse(""));
      }
      if (now - nextLine >= 0) {
        nextLine += PROGRESS_NANOS;
        double s = (now - start) / 1e9;
        progress.printf("  %s: %d/%d done, %.0f/s, %.1f s%n", what, tracker.completed(), n,
            tracker.completed() / s, s);
        String trouble = loop.trouble().orElse("");
        if (!trouble.equals(troubleShown)) {
          troubleShown = trouble;
          progress.printf("  %s: %s%n", what, trouble);
        }
      }
      sleepMillis(5);
    }
    sending.forEach(Workloads::rethrow);
  }

  private static void rethrow(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("sending failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Sends in flight from one sender thread: {@link #add} waits only when {@code max} are already
   * outstanding; a failed send fails the sender.
   */
  private static final class InFlight {
    private final int max;
    private final ArrayDeque<CompletableFuture<Void>> sends = new ArrayDeque<>();

    InFlight(int max) {
      this.max = max;
    }

    void add(CompletableFuture<Void> send) throws InterruptedException, ExecutionException {
      sends.add(send);
      while (!sends.isEmpty() && (sends.size() > max || sends.peek().isDone())) {
        sends.poll().get();
      }
    }

    void awaitAll() throws InterruptedException, ExecutionException {
      for (CompletableFuture<Void> f = sends.poll(); f != null; f = sends.poll()) {
        f.get();
      }
    }
  }

  private static int takeUpTo(AtomicInteger left, int max) {
    while (true) {
      int l = left.get();
      int take = Math.min(l, max);
      if (take <= 0 || left.compareAndSet(l, l - take)) {
        return Math.max(0, take);
      }
    }
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
