package dev.gowork.coordinator;

import dev.gowork.coordinator.state.HangingTransactions;
import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.clients.admin.Admin;

/**
 * Background task {@code AbortHangingTransactions}, run before the rebuild (which reads committed
 * records only), then every {@link #INTERVAL}: a transaction a broker stopped uncleanly left open on one
 * of the coordinator's partitions would hide every later record of that partition from the rebuild,
 * the followers and the handlers (docs/reliability.md).
 */
final class AbortHangingTransactions implements Runnable {
  static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  /**
   * At start, each call of the check may take this long: a broker just restarted answers "loading"
   * until all its transaction state is read, and the admin client retries that until the timeout.
   */
  private static final Duration CALL_TIMEOUT_AT_START = Duration.ofSeconds(30);
  private final HangingTransactions hanging;
  private final HangingTransactions hangingAtStart;

  /** @see HangingTransactions#HangingTransactions */
  AbortHangingTransactions(Admin admin, Collection<String> topics, Collection<String> groups,
      String transactionalIdPrefix) {
    hanging = new HangingTransactions(admin, topics, groups, transactionalIdPrefix, CALL_TIMEOUT);
    hangingAtStart = new HangingTransactions(admin, topics, groups, transactionalIdPrefix, CALL_TIMEOUT_AT_START);
  }

  /** The check at start, before the rebuild. */
  void atStart() {
    hangingAtStart.abortAll();
  }

  @Override
  public void run() {
    hanging.abortAll();
  }

  /** Transactions aborted since start, one per partition. */
  long abortedCount() {
    return hanging.abortedCount() + hangingAtStart.abortedCount();
  }
}
