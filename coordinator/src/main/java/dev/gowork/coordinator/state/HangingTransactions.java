package dev.gowork.coordinator.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts <em>hanging</em> transactions on the coordinator's own partitions: a producer's
 * transaction that a partition still holds open (no commit or abort marker) while Kafka's transaction
 * coordinator has no open transaction for that producer, so nothing will ever close it. Such a
 * transaction holds the partition's last stable offset back for good: a read-committed reader (the
 * state rebuild, the handlers, another coordinator's follower) sees nothing written after it, and a
 * group's offset committed in it stays pending. A broker stopped uncleanly can leave one behind
 * (observed on Kafka 4.4 after SIGKILL; see docs/reliability.md).
 *
 * <p>Kafka's {@code kafka-transactions.sh find-hanging} takes a producer missing from the transaction
 * coordinators' listing for hanging only once its transaction is older than the longest transaction
 * timeout (15 minutes by default). This check does not wait, so it never takes a producer's absence
 * for evidence: {@code ListTransactions} silently leaves out the transactional ids the principal may
 * not describe (ACLs), the transactions of a coordinator partition whose leader is not in the metadata,
 * and, while that partition changes leader, those the old leader has unloaded and the new one has not
 * begun to load. A producer is hanging on a partition only if
 * <ul>
 *   <li>two looks at the partition, one before and one after the listing, show the same state of it
 *       (open from the same offset, same epoch, no write in between), and</li>
 *   <li>the listing has that producer id, only under a transactional id of this prefix's coordinators
 *       ({@code transactionalIdPrefix}), and only in a closed state ({@code Empty}, {@code CompleteCommit},
 *       {@code CompleteAbort}): its transaction coordinator is loaded and says its last transaction ended.</li>
 * </ul>
 * A transaction that is really open on a partition was made {@code Ongoing} by its coordinator before
 * its first record there, and stays listed as open until its marker there is written; a listing that
 * says closed after the first look therefore means a marker after it, which the second look would see.
 * Other applications' transactions (which share {@code __consumer_offsets} partitions with the groups)
 * are never touched. A hanging transaction whose producer id its coordinator no longer has is not
 * found; {@code kafka-transactions.sh find-hanging} and {@code abort} are the way out then.
 */
public final class HangingTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
  private static final String OFFSETS_TOPIC = "__consumer_offsets";
  /** The states in which a transaction coordinator has no transaction of the producer open. */
  private static final EnumSet<TransactionState> CLOSED = EnumSet.of(TransactionState.EMPTY,
      TransactionState.COMPLETE_COMMIT, TransactionState.COMPLETE_ABORT);

  /** A transaction that was aborted, and where. */
  public record Aborted(TopicPartition partition, long producerId, int producerEpoch, long startOffset) {}

  private final Admin admin;
  private final List<String> topics;
  private final List<String> groups;
  private final String transactionalIdPrefix;
  private final Duration callTimeout;
  private final LongAdder abortedCount = new LongAdder();
  /** The kinds of failure already warned about: each is said once, then at debug level. */
  private final Set<Class<?>> warnedAbout = ConcurrentHashMap.newKeySet();

  /**
   * @param topics the topics a transactional writer writes
   * @param groups the consumer groups whose offsets it commits in its transactions
   * @param transactionalIdPrefix what the transactional ids of the writers whose transactions may be
   *     aborted start with ({@code <p>.coordinator-}: every coordinator of the prefix)
   * @param callTimeout how long each admin call may take; a call that fails or takes longer ends the check
   */
  public HangingTransactions(Admin admin, Collection<String> topics, Collection<String> groups,
      String transactionalIdPrefix, Duration callTimeout) {
    this.admin = admin;
    this.topics = List.copyOf(topics);
    this.groups = List.copyOf(groups);
    if (transactionalIdPrefix == null || transactionalIdPrefix.isEmpty()) {
      throw new IllegalArgumentException("transactionalIdPrefix must not be empty");
    }
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.callTimeout = callTimeout;
  }

  /**
   * Aborts the hanging transactions on the topics' partitions and the groups' offsets partitions
   * (looked up each time: {@code __consumer_offsets} exists once some group committed).
   *
   * @return what was aborted; empty also when Kafka did not answer (a later check tries again)
   */
  public List<Aborted> abortAll() {
    try {
      return abortIn(partitions());
    } catch (KafkaException e) {
      failed(e);
      return List.of();
    }
  }

  /** Hanging transactions aborted so far (one per partition). */
  public long abortedCount() {
    return abortedCount.sum();
  }

  /**
   * All partitions of the topics, and the partitions of {@code __consumer_offsets} holding the groups'
   * offsets: where the writer may leave a transaction hanging.
   *
   * @throws KafkaException if Kafka does not say within the call timeout
   */
  List<TopicPartition> partitions() {
    try {
      List<TopicPartition> out = new ArrayList<>();
      await(admin.describeTopics(topics).allTopicNames()).forEach((name, d) ->
          d.partitions().forEach(p -> out.add(new TopicPartition(name, p.partition()))));
      out.addAll(offsetsPartitionsOfGroups());
      return out;
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("describing " + topics + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted", e);
    }
  }

  /**
   * The partitions of {@code __consumer_offsets} that hold the groups' committed offsets (where a
   * transaction that commits a group's offsets writes them), or none if that topic does not exist yet.
   */
  private Set<TopicPartition> offsetsPartitionsOfGroups() {
    if (groups.isEmpty()) {
      return Set.of();
    }
    try {
      int partitions = await(admin.describeTopics(List.of(OFFSETS_TOPIC)).allTopicNames()).get(OFFSETS_TOPIC)
          .partitions().size();
      Set<TopicPartition> out = new HashSet<>();
      groups.forEach(g -> out.add(new TopicPartition(OFFSETS_TOPIC, Utils.abs(g.hashCode()) % partitions)));
      return out;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Set.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Set.of();
    }
  }

  /** Aborts the hanging transactions on {@code partitions}, logging each with a warning. */
  List<Aborted> abortIn(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return List.of();
    }
    try {
      Map<TopicPartition, Map<Long, ProducerState>> before = openOn(partitions);
      if (before.isEmpty()) {
        return List.of();
      }
      Set<Long> producerIds = new HashSet<>();
      before.values().forEach(producers -> producerIds.addAll(producers.keySet()));
      Collection<TransactionListing> listed = await(admin.listTransactions(new ListTransactionsOptions()
          .filterProducerIds(producerIds).timeoutMs((int) callTimeout.toMillis())).all());
      Set<Long> closed = listedClosed(listed, transactionalIdPrefix);
      if (closed.isEmpty()) {
        return List.of();
      }
      Map<TopicPartition, Map<Long, ProducerState>> after = openOn(before.keySet());
      List<Aborted> aborted = new ArrayList<>();
      for (Map.Entry<TopicPartition, ProducerState> h : hanging(before, closed, after)) {
        aborted.add(abort(h.getKey(), h.getValue()));
      }
      return aborted;
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      failed(e);
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * The producer ids the listing shows only under a transactional id starting with {@code prefix}
   * and only in a closed state. A producer id missing from the listing is not among them: a listing
   * can leave out an open transaction (ACLs, a transaction coordinator moving or offline).
   */
  static Set<Long> listedClosed(Collection<TransactionListing> listed, String prefix) {
    Set<Long> closed = new HashSet<>();
    Set<Long> not = new HashSet<>();
    for (TransactionListing t : listed) {
      boolean ours = t.transactionalId() != null && t.transactionalId().startsWith(prefix);
      if (ours && CLOSED.contains(t.state())) {
        closed.add(t.producerId());
      } else {
        not.add(t.producerId());
      }
    }
    closed.removeAll(not);
    return closed;
  }

  /**
   * The producers open on a partition in the same state in both looks (same start offset, epoch,
   * last sequence and timestamp: nothing written in between) and listed as closed in between: the
   * hanging ones, with their partition.
   */
  static List<Map.Entry<TopicPartition, ProducerState>> hanging(Map<TopicPartition, Map<Long, ProducerState>> before,
      Set<Long> listedClosed, Map<TopicPartition, Map<Long, ProducerState>> after) {
    List<Map.Entry<TopicPartition, ProducerState>> out = new ArrayList<>();
    before.forEach((tp, producers) -> producers.values().forEach(first -> {
      ProducerState second = after.getOrDefault(tp, Map.of()).get(first.producerId());
      if (second != null && listedClosed.contains(first.producerId()) && second.equals(first)) {
        out.add(Map.entry(tp, second));
      }
    }));
    return out;
  }

  private Aborted abort(TopicPartition tp, ProducerState p)
      throws ExecutionException, InterruptedException, TimeoutException {
    long start = p.currentTransactionStartOffset().getAsLong();
    LOG.warn("{} holds a transaction open from offset {} (producer {}, epoch {}) whose transaction "
        + "coordinator says that producer's last transaction ended; no reader of committed records gets past "
        + "it. Aborting it (a broker stopped uncleanly leaves such a transaction behind)", tp, start,
        p.producerId(), p.producerEpoch());
    await(admin.abortTransaction(new AbortTransactionSpec(tp, p.producerId(), (short) p.producerEpoch(),
        p.coordinatorEpoch().orElse(0))).all());
    abortedCount.increment();
    return new Aborted(tp, p.producerId(), p.producerEpoch(), start);
  }

  private void failed(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (warnedAbout.add(cause.getClass())) {
      LOG.warn("could not look for hanging transactions everywhere (it is tried again; each kind of failure is "
          + "said once, then at debug "
          + "level; on a cluster with ACLs the coordinator needs Read on its topics and __consumer_offsets, "
          + "Describe on the transactional ids <p>.coordinator-, and Alter or ClusterAction on the cluster to "
          + "abort): {}",
          cause.toString());
    } else {
      LOG.debug("could not look for hanging transactions: {}", cause.toString());
    }
  }

  /**
   * Per partition, the producers holding a transaction open on it, by producer id. A partition Kafka
   * does not describe (no leader, or no Read right on it: {@code __consumer_offsets} often) is left
   * out, and said once, rather than ending the check for the others.
   *
   * @throws ExecutionException if no partition was described
   */
  Map<TopicPartition, Map<Long, ProducerState>> openOn(Collection<TopicPartition> partitions)
      throws ExecutionException, InterruptedException, TimeoutException {
    DescribeProducersResult result = admin.describeProducers(partitions,
        new DescribeProducersOptions().timeoutMs((int) callTimeout.toMillis()));
    long deadline = System.nanoTime() + callTimeout.toNanos();
    Map<TopicPartition, Map<Long, ProducerState>> open = new HashMap<>();
    Exception firstFailure = null;
    int described = 0;
    for (TopicPartition tp : new HashSet<>(partitions)) {
      PartitionProducerState state;
      try {
        state = result.partitionResult(tp).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        firstFailure = firstFailure == null ? e : firstFailure;
        continue;
      }
      described++;
      for (ProducerState p : state.activeProducers()) {
        if (p.currentTransactionStartOffset().isPresent()) {
          open.computeIfAbsent(tp, k -> new HashMap<>()).put(p.producerId(), p);
        }
      }
    }
    if (firstFailure != null) {
      if (described == 0) {
        throw firstFailure instanceof ExecutionException ee ? ee : new ExecutionException(firstFailure);
      }
      failed(firstFailure);
    }
    return open;
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> f)
      throws ExecutionException, InterruptedException, TimeoutException {
    return f.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
