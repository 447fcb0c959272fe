package dev.gowork.cli.soak;

import dev.gowork.cli.demo.DemoPlan;
import java.time.Duration;

/**
 * Everything one soak run was resolved to.
 *
 * @param cluster the processes: items, replicas, concurrency, each item's deadline, ports, secrets
 * @param handler the workers' built-in handler, {@code echo} or {@code sleep}
 * @param sleepMs what each item asks the {@code sleep} handler to wait
 * @param maxAttempts each item's maxAttempts
 * @param killEveryMillis time between kills; 0 kills nothing
 * @param maxKills kills at most this many replicas; 0 for no limit
 * @param seed seeds the choice of victims (and, with several coordinators, the work ids: {@code soak-<seed>-<n>})
 * @param coordinators 1: one coordinator with its embedded Kafka; more: a broker of their own and that many
 * @param kill what the kills hit
 * @param runTimeout how long the items may take once the first batch is submitted
 * @param ledgerTimeout how long the ledger check may read the events topic
 * @param settle how long to wait after the last item finished before the ledger check, for late duplicates
 */
record SoakPlan(DemoPlan cluster, String handler, int sleepMs, int maxAttempts, long killEveryMillis, int maxKills, long seed,
    int coordinators, Victims.Target kill, Duration readyTimeout, Duration runTimeout, Duration ledgerTimeout,
    Duration settle) {

  int items() {
    return cluster.items();
  }

  int replicas() {
    return cluster.workers();
  }
}
