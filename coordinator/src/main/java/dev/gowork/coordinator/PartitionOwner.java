package dev.gowork.coordinator;

import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.results.ConsumeResults;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over the work of results partitions as the coordinator group hands them out: first fences the
 * transactions that coordinators gone from the group left open ({@code AbandonedTransactions}: until
 * Kafka's transaction timeout they hide what was written after them and keep the results offsets they
 * committed pending, so the partitions' results could not be read), then reads the
 * other coordinators' state to its end (bounded), then owns the partitions and plans the timeouts and
 * retries of their unfinished work. A partition given up is simply no longer owned. At start,
 * {@link #awaitFirst} waits (bounded) for the first ones.
 */
final class PartitionOwner implements ConsumeResults.Owner {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOwner.class);
  private static final Duration FIRST_ASSIGNMENT = Duration.ofSeconds(15);
  private final FollowState follower;
  private final Ownership ownership;
  private final WorkTable table;
  private final Topics topics;
  private final Duration catchUp;
  private final Runnable fenceAbandoned;

  /**
   * @param catchUp how long a hand-out may wait for the other coordinators' state
   * @param fenceAbandoned fences the transactions of coordinators gone from the group (bounded; never throws)
   */
  PartitionOwner(FollowState follower, Ownership ownership, WorkTable table, Topics topics, Duration catchUp,
      Runnable fenceAbandoned) {
    this.fenceAbandoned = fenceAbandoned;
    this.follower = follower;
    this.ownership = ownership;
    this.table = table;
    this.topics = topics;
    this.catchUp = catchUp;
  }

  @Override
  public void gained(Collection<Integer> partitions) {
    fenceAbandoned.run();
    if (!follower.catchUp(catchUp)) {
      LOG.warn("taking results partitions {} before the state of other coordinators was read to its end",
          partitions);
    }
    ownership.gained(partitions);
    Set<Integer> taken = Set.copyOf(partitions);
    List<WorkTable.Restored> work = table.unfinished(id -> taken.contains(ownership.partitionOf(id)));
    work.forEach(follower::plan);
    LOG.info("owns results partitions {} of {} ({} unfinished items taken over)", ownership.owned(),
        topics.results(), work.size());
  }

  @Override
  public void lost(Collection<Integer> partitions) {
    ownership.lost(partitions);
    LOG.info("gave up results partitions {}; owns {}", partitions, ownership.owned());
  }

  @Override
  public boolean holdsAll() {
    return ownership.ownsAll();
  }

  /** Waits (bounded) until the group gave this coordinator its first results partitions. */
  void awaitFirst() {
    long end = System.nanoTime() + FIRST_ASSIGNMENT.toNanos();
    while (!ownership.ownsAny() && System.nanoTime() - end < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (!ownership.ownsAny()) {
      LOG.warn("no results partition assigned within {}: the other coordinators of {} own all of them for now",
          FIRST_ASSIGNMENT, topics.prefix());
    }
  }
}
