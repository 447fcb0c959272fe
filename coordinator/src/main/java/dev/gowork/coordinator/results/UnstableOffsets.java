package dev.gowork.coordinator.results;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds results partitions whose committed offset the broker still reports as pending
 * ({@code UNSTABLE_OFFSET_COMMIT}) although no transaction of the prefix's coordinators is open to
 * settle it. A broker stopped uncleanly (SIGKILL) can leave that behind: observed on Kafka 4.4 in
 * {@code LocalDeployTest}, about one run in ten, the transaction coordinator had the coordinator's
 * transaction complete while the group coordinator kept one partition's offset pending for minutes,
 * and a read-committed consumer, which asks for stable offsets only, waited on it without end: no
 * result of that partition was applied. The last stable committed offset is then where to start.
 */
final class UnstableOffsets {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final EnumSet<TransactionState> OPEN = EnumSet.of(TransactionState.ONGOING,
      TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

  private final Admin admin;
  private final String group;
  private final String transactionalIdPattern;

  /**
   * @param group the coordinators' consumer group
   * @param transactionalIdPattern a regular expression matching the transactional ids of every
   *     coordinator of the prefix (those that commit the group's offsets)
   */
  UnstableOffsets(Admin admin, String group, String transactionalIdPattern) {
    this.admin = admin;
    this.group = group;
    this.transactionalIdPattern = transactionalIdPattern;
  }

  /**
   * The partitions of {@code assigned} whose committed offset is pending while no coordinator
   * transaction is open, each with its last stable committed offset; empty when there are none, or
   * when a transaction is open (it settles them), or when Kafka does not answer.
   */
  Map<TopicPartition, Long> stuck(Collection<TopicPartition> assigned) {
    try {
      Map<TopicPartition, OffsetAndMetadata> any = committed(false);
      Map<TopicPartition, OffsetAndMetadata> stable = committed(true);
      Map<TopicPartition, Long> stuck = new HashMap<>();
      for (TopicPartition tp : assigned) {
        OffsetAndMetadata last = any.get(tp);
        if (last != null && !stable.containsKey(tp)) {
          stuck.put(tp, last.offset());
        }
      }
      if (stuck.isEmpty()) {
        return Map.of();
      }
      boolean open = !admin.listTransactions(new ListTransactionsOptions().filterStates(OPEN)
              .filterOnTransactionalIdPattern(transactionalIdPattern).timeoutMs((int) CALL_TIMEOUT.toMillis()))
          .all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
      return open ? Map.of() : stuck;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(boolean requireStable)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(Map.of(group,
            new ListConsumerGroupOffsetsSpec()),
        new ListConsumerGroupOffsetsOptions().requireStable(requireStable).timeoutMs((int) CALL_TIMEOUT.toMillis()))
        .partitionsToOffsetAndMetadata(group).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    m.forEach((tp, o) -> {
      if (o != null) {
        out.put(tp, o);
      }
    });
    return out;
  }
}
