package dev.gowork.coordinator.state;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.FenceProducersOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences the transactional ids of coordinators that are gone (killed, or cut off) while their
 * transaction is still open, so that Kafka aborts it at once ({@code Admin.fenceProducers}, KIP-618: the
 * id's epoch is bumped and its open transaction aborted) instead of after {@code transaction.timeout.ms}
 * (60 s by default). Until then such a transaction holds back every {@code read_committed} reader of the
 * partitions it wrote (the other coordinators' followers and handler feeds) and keeps the results
 * offsets it committed pending, so the coordinator that takes over its results partitions can do nothing
 * with them.
 *
 * <p>A transactional id is fenced only when all of these hold:
 * <ul>
 *   <li>it is the prefix's coordinators' transactional id prefix ({@code <p>.coordinator-}) followed by
 *       an instance id ({@link #INSTANCE_ID}, which has no dot): other applications' transactions are
 *       never touched, nor those of another GoWork prefix that starts with {@code <p>.coordinator-}
 *       (prefix {@code gowork.coordinator-eu}: ids {@code gowork.coordinator-eu.coordinator-0});</li>
 *   <li>it is not this coordinator's own id, and not the group instance id of a member of the
 *       coordinators' group ({@code <p>.coordinator}, whose static members' instance ids are their
 *       transactional ids); and the group lists this coordinator among its members, or nothing is fenced
 *       (a look at the group taken while this coordinator is not in it proves nothing about the others);</li>
 *   <li>its transaction coordinator lists it {@code Ongoing} for longer than a floor ({@link #FLOOR}):
 *       a coordinator's transaction lasts milliseconds while Kafka answers, so one starting up, whose
 *       first transactions may come before it joins the group, is not fenced. (A slow Kafka can hold a
 *       live coordinator's transaction open until {@code transaction.timeout.ms}: {@code TransactionalWriter}
 *       asks again for a commit that timed out. Its membership keeps it safe, not the floor; one whose
 *       join has not reached the group by then would be fenced.) The broker measures the
 *       age with its own clock ({@code ListTransactions}' duration filter), so no clock skew between
 *       the coordinator and the broker counts.</li>
 * </ul>
 * A coordinator the group dropped while it lives (a session timeout) has already stopped committing
 * and reports itself not live ({@code ConsumeResults}); fencing it as well only makes its open
 * transaction, if any, end now: its committer is stopped, so nothing of it retries against the fenced
 * id. A replacement started with the gone coordinator's id takes the id over itself
 * ({@code initTransactions}), aborting the transaction; it is safe from the fence once its own
 * transactions are the young ones, but one that takes the id over between this check's second look
 * (listing and members, just before the fence) and the fence is fenced too, and stops committing (not
 * live) until restarted.
 */
public final class AbandonedTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(AbandonedTransactions.class);
  /** How long a transaction must have been open to be taken for abandoned. */
  public static final Duration FLOOR = Duration.ofSeconds(10);
  /** What follows the prefix in a coordinator's transactional id: its instance id (as WorkServerBuilder checks). */
  static final String INSTANCE_ID = "[A-Za-z0-9_-]{1,64}";
  private static final Pattern INSTANCE_ID_PATTERN = Pattern.compile(INSTANCE_ID);

  private final Admin admin;
  private final String group;
  private final String ownId;
  private final String transactionalIdPrefix;
  private final Duration callTimeout;
  private final LongAdder fencedCount = new LongAdder();
  /** The kinds of failure already warned about: each is said once, then at debug level. */
  private final Set<Class<?>> warnedAbout = ConcurrentHashMap.newKeySet();

  /**
   * @param group the coordinators' consumer group, whose members' instance ids are their transactional ids
   * @param ownId this coordinator's transactional id
   * @param transactionalIdPrefix what every coordinator's transactional id of this prefix starts with
   * @param callTimeout how long each admin call may take; one that fails or takes longer ends the check
   */
  public AbandonedTransactions(Admin admin, String group, String ownId, String transactionalIdPrefix,
      Duration callTimeout) {
    if (transactionalIdPrefix == null || transactionalIdPrefix.isEmpty()) {
      throw new IllegalArgumentException("transactionalIdPrefix must not be empty");
    }
    this.admin = admin;
    this.group = group;
    this.ownId = ownId;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.callTimeout = callTimeout;
  }

  /**
   * Fences the ids of the coordinators gone from the group whose transaction has been open past the
   * floor, each with a warning.
   *
   * @return the ids fenced; empty also when Kafka did not answer (a later check tries again)
   */
  public List<String> fenceAll() {
    try {
      Collection<TransactionListing> ongoing = ongoingPastTheFloor();
      if (ongoing.isEmpty()) {
        return List.of();
      }
      Set<String> fence = toFence(ongoing, members(), ownId, transactionalIdPrefix);
      if (fence.isEmpty()) {
        return List.of();
      }
      // A second look just before the fence: a replacement that took one of these ids over since the first
      // (its initTransactions aborted the old transaction) is no longer listed, or is a member by now. It
      // narrows the race with such a replacement to this look's duration; it cannot close it.
      fence.retainAll(toFence(ongoingPastTheFloor(), members(), ownId, transactionalIdPrefix));
      if (fence.isEmpty()) {
        return List.of();
      }
      LOG.warn("fencing the transactional ids {}: their transactions have been open for over {} s and no member of "
          + "{} has them (a coordinator killed or cut off); Kafka aborts those transactions now, so that the readers "
          + "of what they wrote and the results offsets they committed go on", fence, FLOOR.toSeconds(), group);
      await(admin.fenceProducers(fence, new FenceProducersOptions().timeoutMs((int) callTimeout.toMillis())).all());
      fencedCount.add(fence.size());
      return List.copyOf(fence);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      failed(e);
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /** This prefix's coordinators' transactions that have been {@code Ongoing} for longer than the floor. */
  private Collection<TransactionListing> ongoingPastTheFloor()
      throws ExecutionException, InterruptedException, TimeoutException {
    return await(admin.listTransactions(new ListTransactionsOptions()
        .filterStates(List.of(TransactionState.ONGOING))
        .filterOnTransactionalIdPattern(Pattern.quote(transactionalIdPrefix) + INSTANCE_ID)
        .filterOnDuration(FLOOR.toMillis())
        .timeoutMs((int) callTimeout.toMillis())).all());
  }

  /** Transactional ids fenced so far. */
  public long fencedCount() {
    return fencedCount.sum();
  }

  /**
   * Of the {@code ongoing} transactions (those open past the floor), the transactional ids to fence: the
   * prefix and an instance id, {@code Ongoing}, neither {@code ownId} nor a member's instance id; none at all when
   * {@code members} lacks {@code ownId}.
   */
  static Set<String> toFence(Collection<TransactionListing> ongoing, Collection<String> members, String ownId,
      String prefix) {
    Set<String> out = new TreeSet<>();
    if (!members.contains(ownId)) {
      return out;
    }
    for (TransactionListing t : ongoing) {
      String id = t.transactionalId();
      if (id != null && id.startsWith(prefix) && INSTANCE_ID_PATTERN.matcher(id.substring(prefix.length())).matches()
          && t.state() == TransactionState.ONGOING && !id.equals(ownId)
          && !members.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** The group instance ids of the coordinators' group's members. */
  private Set<String> members() throws ExecutionException, InterruptedException, TimeoutException {
    ConsumerGroupDescription d = await(admin.describeConsumerGroups(List.of(group),
        new DescribeConsumerGroupsOptions().timeoutMs((int) callTimeout.toMillis())).describedGroups().get(group));
    Set<String> ids = new TreeSet<>();
    for (MemberDescription m : d.members()) {
      m.groupInstanceId().ifPresent(ids::add);
    }
    return ids;
  }

  private void failed(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (warnedAbout.add(cause.getClass())) {
      LOG.warn("could not look for transactions left open by coordinators gone from {} (it is tried again; each "
          + "kind of failure is said once, then at debug level; on a cluster with ACLs the coordinator needs "
          + "Describe on {} and Describe and Write on the transactional ids {}*): {}", group, group,
          transactionalIdPrefix, cause.toString());
    } else {
      LOG.debug("could not look for abandoned transactions: {}", cause.toString());
    }
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> f)
      throws ExecutionException, InterruptedException, TimeoutException {
    return f.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
