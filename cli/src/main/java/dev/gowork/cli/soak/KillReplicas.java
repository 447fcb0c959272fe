package dev.gowork.cli.soak;

import dev.gowork.cli.demo.ChildProcess;
import dev.gowork.cli.demo.LocalCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The soak's chaos: every {@code every} milliseconds, once the first item has finished and while
 * others are unfinished (so that the replicas are busy with work), kills one worker
 * replica picked at random with SIGKILL (no shutdown, no acknowledgement, no last result) and starts
 * a replacement under a new name, so that the number of replicas stays the same; after
 * {@code maxKills} kills (0: no limit) it ends.
 *
 * <p>Runs on its own thread until {@link #stop}; {@link #kills} may be read from any thread. A
 * replacement that cannot start ends the task; {@link #failure} says why.
 */
final class KillReplicas implements Runnable {
  /**
   * One kill.
   *
   * @param doneBefore accepted items with a terminal event just before the kill
   * @param acceptedBefore items accepted just before the kill
   */
  record Kill(int number, String victim, long pid, String replacement, long atNanos, int doneBefore,
      int acceptedBefore) {

    /** True when items had started to finish and some accepted ones were not finished yet. */
    boolean inFlight() {
      return doneBefore > 0 && doneBefore < acceptedBefore;
    }
  }

  private final LocalCluster cluster;
  private final String handler;
  private final long everyMillis;
  private final int maxKills;
  private final Random random;
  private final Ledger progress;
  private final int firstReplacement;
  private final List<Kill> kills = new ArrayList<>();
  private volatile boolean stopped;
  private volatile RuntimeException failure;

  /**
   * @param progress the live ledger: a kill happens only while it has unfinished items
   * @param firstReplacement the number of the first replacement ({@code worker-<n>}); the next ones count up
   */
  KillReplicas(LocalCluster cluster, String handler, long everyMillis, int maxKills, Random random, Ledger progress,
      int firstReplacement) {
    this.cluster = cluster;
    this.handler = handler;
    this.everyMillis = everyMillis;
    this.maxKills = maxKills;
    this.random = random;
    this.progress = progress;
    this.firstReplacement = firstReplacement;
  }

  @Override
  public void run() {
    int next = firstReplacement;
    try {
      while ((maxKills == 0 || kills().size() < maxKills) && pause()) {
        int accepted = progress.acceptedCount();
        int done = progress.accounted();
        List<ChildProcess> workers = cluster.workers();
        if (done == 0 || done >= accepted || workers.isEmpty()) {
          continue;
        }
        ChildProcess victim = workers.get(random.nextInt(workers.size()));
        long at = System.nanoTime();
        cluster.kill(victim);
        ChildProcess replacement = cluster.startWorker("worker-" + next++, handler);
        synchronized (kills) {
          kills.add(new Kill(kills.size() + 1, victim.name(), victim.pid(), replacement.name(), at, done, accepted));
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Ends the task soon (it finishes a kill in progress first); safe from any thread. */
  void stop() {
    stopped = true;
    synchronized (this) {
      notifyAll();
    }
  }

  List<Kill> kills() {
    synchronized (kills) {
      return List.copyOf(kills);
    }
  }

  /** Why the task ended early, or null. */
  RuntimeException failure() {
    return failure;
  }

  private synchronized boolean pause() {
    long until = System.currentTimeMillis() + everyMillis;
    try {
      for (long left = everyMillis; !stopped && left > 0; left = until - System.currentTimeMillis()) {
        wait(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !stopped;
  }
}
