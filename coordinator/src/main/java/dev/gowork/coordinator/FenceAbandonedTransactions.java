package dev.gowork.coordinator;

import dev.gowork.coordinator.state.AbandonedTransactions;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * Background task {@code FenceAbandonedTransactions}, run when this coordinator takes over results
 * partitions (before it reads the others' state) and every {@link #INTERVAL}: fences the transactional
 * ids of coordinators gone from the group whose transaction is still open ({@link AbandonedTransactions}),
 * so that Kafka aborts it at once instead of after {@code transaction.timeout.ms}. A takeover can come
 * before the gone coordinator's transaction passes the fence's floor ({@link AbandonedTransactions#FLOOR})
 * when the group's session timeout is short; the next run, at most {@link #INTERVAL} after it passes,
 * fences it then. Each run asks Kafka one listing ({@code ListTransactions}, filtered by the broker), and
 * more only when it finds such a transaction.
 */
final class FenceAbandonedTransactions implements Runnable {
  static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private final AbandonedTransactions abandoned;

  /** @see AbandonedTransactions#AbandonedTransactions */
  FenceAbandonedTransactions(Admin admin, String coordinatorGroup, String ownId, String transactionalIdPrefix) {
    abandoned = new AbandonedTransactions(admin, coordinatorGroup, ownId, transactionalIdPrefix, CALL_TIMEOUT);
  }

  @Override
  public void run() {
    abandoned.fenceAll();
  }

  /** Transactional ids of coordinators gone from the group fenced since start. */
  long fencedCount() {
    return abandoned.fencedCount();
  }
}
