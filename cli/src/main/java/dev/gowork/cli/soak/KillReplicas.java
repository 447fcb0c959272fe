package dev.gowork.cli.soak;

import dev.gowork.cli.demo.ChildProcess;
import dev.gowork.cli.demo.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's chaos: every {@code every} milliseconds, once the first item has finished and while
 * others are unfinished (so that the replicas are busy with work), kills one process picked by
 * {@link Victims} with SIGKILL (no shutdown, no acknowledgement, no last result, no commit). A worker
 * replica gets a replacement under a new name at once, so that the number of replicas stays the
 * same; a coordinator is restarted with its own id and port, at once or after the delay the victims
 * chose, and the next pause starts once it is ready again (so that only one is down at a time); after
 * {@code maxKills} kills (0: no limit) it ends.
 *
 * <p>Runs on its own thread until {@link #stop}; {@link #kills} may be read from any thread. A
 * replacement that cannot start ends the task; {@link #failure} says why.
 */
final class KillReplicas implements Runnable {
  /**
   * One kill.
   *
   * @param replacement the new worker, or the coordinator restarted under the victim's name
   * @param doneBefore accepted items with a terminal event just before the kill
   * @param acceptedBefore items accepted just before the kill
   * @param restartAfterMillis for a coordinator, how long it stays down before its restart begins; -1 for a worker
   */
  record Kill(int number, String victim, long pid, String replacement, long atNanos, int doneBefore,
      int acceptedBefore, long restartAfterMillis) {

    /** A worker's kill. */
    Kill(int number, String victim, long pid, String replacement, long atNanos, int doneBefore, int acceptedBefore) {
      this(number, victim, pid, replacement, atNanos, doneBefore, acceptedBefore, -1);
    }

    boolean coordinator() {
      return restartAfterMillis >= 0;
    }

    /** True when items had started to finish and some accepted ones were not finished yet. */
    boolean inFlight() {
      return doneBefore > 0 && doneBefore < acceptedBefore;
    }
  }

  private final LocalCluster cluster;
  private final SoakCoordinators coordinators;
  private final Duration readyTimeout;
  private final String handler;
  private final long everyMillis;
  private final int maxKills;
  private final Victims victims;
  private final Ledger progress;
  private final int firstReplacement;
  private final List<Kill> kills = new ArrayList<>();
  private volatile boolean stopped;
  private volatile RuntimeException failure;

  /**
   * @param coordinators the coordinators that may be killed, or null (one coordinator, never killed)
   * @param readyTimeout how long a restarted coordinator may take to be ready
   * @param progress the live ledger: a kill happens only while it has unfinished items
   * @param firstReplacement the number of the first replacement ({@code worker-<n>}); the next ones count up
   */
  KillReplicas(LocalCluster cluster, SoakCoordinators coordinators, Duration readyTimeout, String handler,
      long everyMillis, int maxKills, Victims victims, Ledger progress, int firstReplacement) {
    this.cluster = cluster;
    this.coordinators = coordinators;
    this.readyTimeout = readyTimeout;
    this.handler = handler;
    this.everyMillis = everyMillis;
    this.maxKills = maxKills;
    this.victims = victims;
    this.progress = progress;
    this.firstReplacement = firstReplacement;
  }

  @Override
  public void run() {
    int next = firstReplacement;
    try {
      while ((maxKills == 0 || kills().size() < maxKills) && pause(everyMillis)) {
        int accepted = progress.acceptedCount();
        int done = progress.accounted();
        List<ChildProcess> workers = cluster.workers();
        if (done == 0 || done >= accepted || workers.isEmpty()) {
          continue;
        }
        Victims.Victim v = victims.next(workers.size(), coordinators == null ? 0 : coordinators.size());
        if (v.coordinator()) {
          killCoordinator(v, done, accepted);
          continue;
        }
        ChildProcess victim = workers.get(v.index());
        long at = System.nanoTime();
        cluster.kill(victim);
        String name = "worker-" + next++;
        ChildProcess replacement = coordinators == null ? cluster.startWorker(name, handler)
            : cluster.startWorker(name, handler, coordinators.url(next % coordinators.size()),
                SoakCoordinators.WORKER_SETTINGS);
        add(new Kill(kills().size() + 1, victim.name(), victim.pid(), replacement.name(), at, done, accepted));
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /**
   * Kills coordinator {@code v.index()}, counts the kill, waits the victim's delay, restarts it. A
   * {@link #stop} during the delay leaves it down (the soak is ending).
   */
  private void killCoordinator(Victims.Victim v, int done, int accepted) {
    long at = System.nanoTime();
    ChildProcess victim = coordinators.kill(v.index());
    add(new Kill(kills().size() + 1, victim.name(), victim.pid(), victim.name(), at, done, accepted,
        v.restartAfterMillis()));
    if (v.restartAfterMillis() == 0 || pause(v.restartAfterMillis())) {
      coordinators.restart(v.index(), readyTimeout);
    }
  }

  private void add(Kill kill) {
    synchronized (kills) {
      kills.add(kill);
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

  private synchronized boolean pause(long millis) {
    long until = System.currentTimeMillis() + millis;
    try {
      for (long left = millis; !stopped && left > 0; left = until - System.currentTimeMillis()) {
        wait(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !stopped;
  }
}
