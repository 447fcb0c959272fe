package dev.gowork.coordinator.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The commit step of the results loop, run on the consumer's thread after each poll: everything
 * the journal holds, plus the offsets of the results processed since the last commit, go into one
 * transaction. What fails to commit stays pending and goes into the next attempt, whole and in
 * order, so a state change, its events and the offset of the result that caused it land together.
 */
public final class CommitChanges {
  private final Journal journal;
  private final TransactionalWriter writer;
  private List<Journal.Entry> pending = new ArrayList<>();
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();

  public CommitChanges(Journal journal, TransactionalWriter writer) {
    this.journal = journal;
    this.writer = writer;
  }

  /** Lets {@link Journal#flush()} hurry the loop (e.g. by waking its consumer); commits start now. */
  public void attach(Runnable wake) {
    journal.attach(wake);
  }

  /** Notes that the record at {@code offset} was processed. */
  public void consumed(String topic, int partition, long offset) {
    offsets.merge(new TopicPartition(topic, partition), new OffsetAndMetadata(offset + 1),
        (a, b) -> a.offset() >= b.offset() ? a : b);
  }

  /** True when there is something to commit. */
  public boolean due() {
    return !pending.isEmpty() || !offsets.isEmpty() || journal.hasPending();
  }

  /**
   * Commits what is pending.
   *
   * @return true when committed (or nothing was pending); false when it is to be retried
   * @throws TransactionalWriter.Fenced when another instance took over
   */
  public boolean commit(ConsumerGroupMetadata group) {
    pending.addAll(journal.drain());
    if (pending.isEmpty() && offsets.isEmpty()) {
      return true;
    }
    if (!writer.commit(pending, offsets, group)) {
      return false;
    }
    List<Journal.Entry> done = pending;
    pending = new ArrayList<>();
    offsets.clear();
    journal.committed(done);
    return true;
  }

  /** Forgets offsets of partitions this consumer no longer owns (their results are re-read by the new owner). */
  public void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(offsets::remove);
  }

  /** Stops for good: waiters fail; nothing more is committed. */
  public void stop(RuntimeException why) {
    journal.fail(why, pending);
    pending = new ArrayList<>();
  }

  /** Closes the transactional producer (after the last commit). */
  public void close() {
    writer.close();
  }

  /** Aborts an open transaction and drops everything pending, as a killed process would. */
  public void crash() {
    writer.abort();
    writer.closeNow();
    stop(new IllegalStateException("the coordinator crashed"));
  }
}
