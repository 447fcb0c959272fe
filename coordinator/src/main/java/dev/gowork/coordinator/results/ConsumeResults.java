package dev.gowork.coordinator.results;

import dev.gowork.coordinator.state.CommitChanges;
import dev.gowork.coordinator.state.InstanceTakeover;
import dev.gowork.coordinator.work.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background duty on its own thread ({@code gowork-consume-results}): reads {@code <p>.results} in the
 * coordinator group and hands every record to the {@link ResultPipeline}. After each poll it hands a
 * cut to {@link CommitChanges}: the state records and events the batch caused, whatever other threads
 * journaled meanwhile (adds, timeouts, retries, sessions), and the batch's offsets. The committer
 * thread puts them in one Kafka transaction ({@code sendOffsetsToTransaction} for the offsets) while
 * this thread goes on polling. A crash before the commit leaves the offsets uncommitted, so the next
 * coordinator re-reads those results against state that never saw them: each terminal event reaches
 * the events topic once.
 *
 * <p>Failure modes: the pipeline never throws for bad input; anything else thrown for a record is
 * logged and the loop goes on. A failing poll is logged and retried after a pause; a failing commit is
 * retried by the committer, the changes kept. Being fenced by another coordinator with the same
 * instance id (its transactions, or its group membership) stops the loop for good, its uncommitted
 * changes dropped, and it does not rejoin: that would fence the newer one's membership in turn
 * ({@link InstanceTakeover}). A result for work not known yet holds its partition for a while
 * ({@link UnknownWorkHold}). A record read again (the consumer went back behind what it decided, or an unstick) is told to the
 * pipeline as such ({@link ReadAgain}), so that it is not reported as a replay.
 * {@code Journal.flush()} wakes the consumer so that waiting callers are served by the next
 * commit. Before partitions move to another coordinator, and on {@link #close()}, the loop waits until
 * what it handed off is committed; {@link #crash()} drops it. Partitions lost without a hand-over (the
 * group dropped this member) while other coordinators run stop it for good, its uncommitted changes
 * dropped: a restart rebuilds. A coordinator alone rejoins and goes on.
 */
public final class ConsumeResults implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeResults.class);
  /** Longest wait for the changes to be committed before partitions move on, or before closing. */
  private static final Duration LAST_COMMIT = Duration.ofSeconds(15);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final ResultPipeline pipeline;
  private final CommitChanges commits;
  private final InstanceTakeover takeover;
  private final Owner owner;
  private final Clock clock;
  private final UnknownWorkHold unknown = new UnknownWorkHold();
  private final ReadAgain readAgain = new ReadAgain();
  private final Thread thread;
  private volatile boolean running = true;
  /** Why the loop ended on an exception of its own, or null ({@link #failure} also asks the committer). */
  private volatile String stoppedBecause;
  private volatile boolean crashing;
  private final UnstableOffsets unstable;
  /** Partitions seen stuck on a pending offset, and since when (nanoTime); the consumer thread's. */
  private final Map<TopicPartition, Long> suspects = new HashMap<>();
  private long lastRecordsOrCheck = System.nanoTime();
  private static final long CHECK_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
  private static final long STUCK_AFTER_NANOS = Duration.ofSeconds(10).toNanos();

  /**
   * Told which results partitions this coordinator gains and loses, on the consumer's thread: a
   * coordinator decides about the work of the partitions it holds ({@code Ownership}).
   */
  public interface Owner {
    /** Called before any record of {@code partitions} is processed. */
    void gained(Collection<Integer> partitions);

    /** Called before the pending changes are committed for the last time as their owner. */
    void lost(Collection<Integer> partitions);

    /**
     * True while this coordinator holds every results partition: no other coordinator of the prefix
     * runs, so work it does not know was not added elsewhere and will not appear by waiting.
     */
    boolean holdsAll();
  }

  public ConsumeResults(Consumer<String, byte[]> consumer, String topic, ResultPipeline pipeline,
      CommitChanges commits, Owner owner, Clock clock) {
    this(consumer, topic, pipeline, commits, owner, clock, null, null, null);
  }

  /**
   * @param admin with {@code group} and {@code transactionalIdPattern} (the coordinators' ids), lets the
   *     loop get past a committed offset a broker stopped uncleanly left pending ({@link UnstableOffsets});
   *     null to wait as the consumer does
   */
  public ConsumeResults(Consumer<String, byte[]> consumer, String topic, ResultPipeline pipeline,
      CommitChanges commits, Owner owner, Clock clock, org.apache.kafka.clients.admin.Admin admin, String group,
      String transactionalIdPattern) {
    this.unstable = admin == null ? null : new UnstableOffsets(admin, group, transactionalIdPattern);
    this.consumer = consumer;
    this.clock = clock;
    this.owner = owner;
    this.topic = topic;
    this.pipeline = pipeline;
    this.commits = commits;
    this.takeover = commits.takeover();
    this.thread = new Thread(this::loop, "gowork-consume-results");
    this.thread.setDaemon(true);
  }

  /**
   * Why results are no longer applied although nobody closed this loop (its transactions were fenced
   * by another coordinator with the same instance id, or failed for good), or empty while it works.
   */
  public Optional<String> failure() {
    if (takeover.happened()) {
      return takeover.why().map(Throwable::getMessage);
    }
    String why = stoppedBecause;
    if (why == null && commits.failure() != null) {
      why = "nothing can be committed any more: " + commits.failure().getMessage();
    }
    return Optional.ofNullable(why);
  }

  public void start() {
    commits.attach(consumer::wakeup);
    thread.start();
  }

  private void loop() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running) {
        ConsumerRecords<String, byte[]> batch = ConsumerRecords.empty();
        try {
          batch = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException e) {
          // a flush asked for a cut, or closing
        } catch (FencedInstanceIdException e) {
          takeover.noticed("membership of the coordinators' group (" + consumer.groupMetadata().groupId() + ")", e);
        } catch (RuntimeException e) {
          LOG.warn("polling {} failed; retrying in 1 s", topic, e);
          pause();
        }
        if (crashing) {
          return;
        }
        if (takeover.happened()) {
          // Whatever is pending is the newer coordinator's to decide again: it reads from the last
          // committed offsets, and this one can no longer commit.
          commits.takenOver(takeover.why().orElseThrow());
          return;
        }
        ConsumerGroupMetadata group = consumer.groupMetadata();
        commits.groupMetadata(group);
        for (TopicPartition tp : batch.partitions()) {
          accept(tp, batch.records(tp));
        }
        unstickIfIdle(batch.isEmpty());
        List<TopicPartition> due = unknown.due(System.nanoTime());
        if (!due.isEmpty()) {
          consumer.resume(due);
        }
        if (commits.due()) {
          commits.handOff(group);
        }
        if (commits.failure() != null) {
          if (!takeover.happened()) {
            LOG.error("the results loop stops: nothing can be committed any more ({})", commits.failure().toString());
          }
          return;
        }
      }
      if (!crashing && commits.due()) {
        commits.handOff(consumer.groupMetadata());
      }
    } catch (RuntimeException e) {
      LOG.error("the results loop stopped", e);
      stoppedBecause = "the results loop stopped: " + e;
      commits.stop(e);
    } finally {
      if (crashing) {
        commits.crash();
      } else {
        commits.close(LAST_COMMIT, takeover.why().<RuntimeException>map(t -> t)
            .orElseGet(() -> new IllegalStateException("the results consumer is closed")));
      }
      try {
        // A static member stays in the group when it closes; leaving hands its partitions to the other
        // coordinators at once. A crash leaves it in, so a same-id replacement takes them back at once;
        // one taken over has no membership left to leave.
        consumer.close(crashing || takeover.happened() ? CloseOptions.timeout(Duration.ZERO)
            : CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.debug("closing the results consumer: {}", e.toString());
      }
    }
  }

  /**
   * Applies the records of one partition in order. While other coordinators run, one for work not
   * known yet stops the partition there: it is read again after {@link UnknownWorkHold#RETRY}, and
   * neither it nor those after it count as consumed meanwhile, so their offsets are not committed.
   * A coordinator alone skips it at once (a late duplicate for work forgotten after its retention).
   */
  private void accept(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      Optional<Verdict> verdict = Optional.empty();
      try {
        verdict = pipeline.accept(r, readAgain.of(tp, r.offset()));
      } catch (RuntimeException e) {
        LOG.error("result record {}-{}@{} could not be processed", r.topic(), r.partition(), r.offset(), e);
      }
      if (verdict.orElse(null) == ResultPipeline.NOT_KNOWN) {
        if (!owner.holdsAll() && unknown.waitFor(tp, r.offset(), r.timestamp(), clock.millis(), System.nanoTime())) {
          consumer.seek(tp, r.offset());
          consumer.pause(List.of(tp));
          return;
        }
        LOG.warn("result {}-{}@{} for work {} skipped: no coordinator of this prefix added it (or it was forgotten "
            + "after its retention)", r.topic(), r.partition(), r.offset(), r.key());
      }
      unknown.decided(tp, r.offset());
      readAgain.decided(tp, r.offset());
      commits.consumed(r.topic(), r.partition(), r.offset());
    }
  }

  /**
   * While no record arrives, checks every 5 s for assigned partitions the consumer has not started
   * (no position) whose committed offset is pending with no coordinator transaction open to settle
   * it; an idle coordinator whose partitions all have positions asks Kafka nothing. One still stuck
   * 10 s later is started from its last stable committed offset. Results
   * read again there were either applied and committed (their work is finished, so they are refused,
   * the {@code result_rejected} event saying so: {@link ResultPipeline#READ_AGAIN_AFTER_UNSTICK}) or
   * never committed (so they are applied now).
   */
  private void unstickIfIdle(boolean idle) {
    long now = System.nanoTime();
    if (unstable == null || !idle) {
      lastRecordsOrCheck = now;
      suspects.clear();
      return;
    }
    if (now - lastRecordsOrCheck < CHECK_EVERY_NANOS || consumer.assignment().isEmpty()) {
      return;
    }
    lastRecordsOrCheck = now;
    // Partitions being read have a position (known locally, no request): only the others can be stuck.
    List<TopicPartition> unstarted = consumer.assignment().stream().filter(tp -> !hasPosition(tp)).toList();
    if (unstarted.isEmpty()) {
      suspects.clear();
      return;
    }
    Map<TopicPartition, Long> stuck = unstable.stuck(unstarted);
    suspects.keySet().retainAll(stuck.keySet());
    for (Map.Entry<TopicPartition, Long> e : stuck.entrySet()) {
      TopicPartition tp = e.getKey();
      Long since = suspects.putIfAbsent(tp, now);
      if (since != null && now - since >= STUCK_AFTER_NANOS) {
        LOG.warn("results partition {}: its committed offset has been pending for over {} s with no coordinator "
            + "transaction open to settle it (left by a broker that stopped uncleanly); reading on from its last "
            + "committed offset, {}", tp, Duration.ofNanos(now - since).toSeconds(), e.getValue());
        consumer.seek(tp, e.getValue());
        suspects.remove(tp);
        endNow(tp).ifPresent(end -> readAgain.unstuck(tp, end));
      }
    }
  }

  /** The partition's end as this (read-committed) consumer sees it, or empty when Kafka does not answer. */
  private Optional<Long> endNow(TopicPartition tp) {
    try {
      return Optional.ofNullable(consumer.endOffsets(List.of(tp), Duration.ofSeconds(5)).get(tp));
    } catch (RuntimeException e) {
      LOG.debug("no end offset of {}: {}", tp, e.toString());
      return Optional.empty();
    }
  }

  private boolean hasPosition(TopicPartition tp) {
    try {
      consumer.position(tp, Duration.ZERO);
      return true;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return false;
    } catch (RuntimeException e) {
      return true; // in doubt, leave it to the consumer
    }
  }

  private void pause() {
    try {
      Thread.sleep(crashing || !running ? 0 : 500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Commits what is pending, then stops and closes the consumer. */
  @Override
  public void close() {
    stop(false);
  }

  /** Stops at once without committing what is pending, and aborts the open transaction (a "kill"). */
  public void crash() {
    stop(true);
  }

  private void stop(boolean crash) {
    crashing = crash;
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ZERO);
      commits.stop(new IllegalStateException("the results consumer is closed"));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(20_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Commits before partitions go to another coordinator, so it starts from what this one did. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      unknown.forget(partitions);
      owner.lost(ids(partitions));
      pipeline.lost(ids(partitions));
      if (!crashing && !commits.awaitCommitted(commits.handOff(consumer.groupMetadata()), LAST_COMMIT)) {
        commits.forget(partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        owner.gained(ids(partitions));
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      boolean alone = owner.holdsAll();
      unknown.forget(partitions);
      owner.lost(ids(partitions));
      pipeline.lost(ids(partitions));
      commits.forget(partitions);
      if (takeover.happened()) {
        return; // the loop stops (and said why)
      }
      if (alone && !partitions.isEmpty()) {
        // No other member held a partition: nobody re-reads these results meanwhile, and this one gets
        // them back when it rejoins; what it decided stays its own to commit.
        LOG.warn("the coordinator group dropped this coordinator (its session timed out?); it held every results "
            + "partition, so it rejoins and goes on");
      } else if (!partitions.isEmpty() && running && !crashing) {
        // Not handed over: the group dropped this member (its session timed out, or it was removed), and
        // the partitions' new owner re-reads their results from the last committed offsets. What this one
        // decided since, in memory and not yet committed, is no longer its to commit, and its memory is
        // ahead of the state topic; only a restart (a rebuild from the state topics) makes it right again.
        commits.abandon(new IllegalStateException("the coordinator group dropped this coordinator (its session "
            + "timed out, or it was removed) and gave results partitions " + ids(partitions) + " to another "
            + "member: it commits nothing more; restart it, so that it rebuilds its state from the state topic"));
      }
    }

    private List<Integer> ids(Collection<TopicPartition> partitions) {
      return partitions.stream().map(TopicPartition::partition).toList();
    }
  }
}
