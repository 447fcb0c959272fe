package dev.gowork.worker.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot: a share consumer that acquires at most one record ({@code max.poll.records=1}) and is
 * polled only while the slot is free, or while a RENEW waits for its record to come back. When the
 * operator raises {@code max.poll.records} (a prefetch for short handlers), the other records of a
 * poll are kept and run one after another in this slot; their acknowledgements then ride on the
 * lane's next poll, so one share fetch serves many records.
 *
 * <p>Why one consumer per slot: in Kafka 4.4 a share consumer that holds a renewed record fetches
 * nothing new until that record is finally acknowledged (a RENEW fetch acquires no records), and
 * every record of a poll must be acknowledged before the next poll. A single consumer could thus not
 * refill free slots while a long handler runs. Per-slot consumers keep acquisition equal to free
 * slots. Only the poll thread calls this class.
 */
final class Lane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  enum State { IDLE, BUSY, RENEWING }

  final int index;
  private final ShareConsumer<String, byte[]> consumer;
  private final Stats stats;
  private State state = State.IDLE;
  private Held held;
  private Instant renewSentAt;
  private boolean ackPending;
  private Instant pausedUntil = Instant.MIN;
  private boolean closed;
  /** Records acquired by the same poll as the held one, run next (when max.poll.records is above 1). */
  private final ArrayDeque<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
  /** Kept-batch records whose handler finished while their result is still being written. */
  private final List<Held> writing = new ArrayList<>();

  Lane(int index, ShareConsumer<String, byte[]> consumer, Stats stats) {
    this.index = index;
    this.consumer = consumer;
    this.stats = stats;
    consumer.setAcknowledgementCommitCallback(this::onCommitted);
  }

  State state() {
    return state;
  }

  Held held() {
    return held;
  }

  void subscribe(String topic) {
    consumer.subscribe(List.of(topic));
  }

  ConsumerRecords<String, byte[]> poll() {
    return consumer.poll(Duration.ZERO);
  }

  boolean isPaused(Instant now) {
    return now.isBefore(pausedUntil);
  }

  /** Skips polling until {@code until}, after a failed poll. */
  void pause(Instant until) {
    pausedUntil = until;
  }

  /** Takes a newly acquired record into this slot. */
  void hold(Held h) {
    held = h;
    state = State.BUSY;
    stats.acquired();
  }

  /** Keeps a record acquired by the same poll as the held one, to run once the slot is free. */
  void keep(ConsumerRecord<String, byte[]> r) {
    waiting.add(r);
    stats.acquired();
  }

  /** The next kept record, or null. */
  ConsumerRecord<String, byte[]> nextKept() {
    ConsumerRecord<String, byte[]> r = waiting.poll();
    if (r != null) {
      stats.done();
    }
    return r;
  }

  boolean hasKept() {
    return !waiting.isEmpty();
  }

  /**
   * Frees the slot for the next kept record while {@code h}'s result is written, so that a batch
   * does not wait a broker round trip between handlers; only when records are kept.
   *
   * @return true when detached
   */
  boolean detach(Held h) {
    if (held != h || state != State.BUSY || waiting.isEmpty()) {
      return false;
    }
    writing.add(h);
    held = null;
    state = State.IDLE;
    return true;
  }

  /** Acknowledges a detached record once its result write ended; false when {@code h} was not detached. */
  boolean finishDetached(Held h, AcknowledgeType type) {
    if (!writing.remove(h)) {
      return false;
    }
    if (!h.lockLost) {
      acknowledge(h.record, type);
    }
    stats.done();
    return true;
  }

  /** True while records of the last poll are unacknowledged (kept or detached), so the lane must not poll. */
  boolean hasUnfinished() {
    return !waiting.isEmpty() || !writing.isEmpty();
  }

  /** Hands every kept record back to the group; returns how many. */
  int releaseKept() {
    int n = 0;
    ConsumerRecord<String, byte[]> r;
    while ((r = nextKept()) != null) {
      acknowledge(r, AcknowledgeType.RELEASE);
      n++;
    }
    return n;
  }

  /** Acknowledges a record that is not held (rejected, or surplus). */
  void acknowledge(ConsumerRecord<String, byte[]> r, AcknowledgeType type) {
    try {
      consumer.acknowledge(r, type);
      ackPending = true;
    } catch (IllegalStateException | KafkaException e) {
      LOG.warn("lane {}: could not {} {}: {}", index, type, RecordKey.of(r), e.getMessage());
    }
  }

  /**
   * Ends the held record with a final acknowledgement, now, or when it returns from RENEW.
   *
   * @return true when the slot is free again
   */
  boolean finish(AcknowledgeType type) {
    if (held == null) {
      return true;
    }
    if (state == State.RENEWING && !held.lockLost) {
      held.deferredAck = type;
      return false;
    }
    if (!held.lockLost) {
      acknowledge(held.record, type);
    }
    held = null;
    state = State.IDLE;
    stats.done();
    return true;
  }

  /** Extends the held record's lock; it comes back from a later {@link #poll()}. */
  void renew(Instant now) {
    try {
      consumer.acknowledge(held.record, AcknowledgeType.RENEW);
      consumer.commitAsync();
      state = State.RENEWING;
      renewSentAt = now;
    } catch (IllegalStateException | KafkaException e) {
      LOG.warn("lane {}: could not renew the lock on {}: {}", index, held, e.getMessage());
      held.lockLost = true;
    }
  }

  /**
   * Handles a record polled while renewing: the held record coming back (its deferred acknowledgement,
   * if any, is applied now).
   *
   * @return true when {@code r} was the held record
   */
  boolean returned(ConsumerRecord<String, byte[]> r, Instant now) {
    if (held == null || !held.key.equals(RecordKey.of(r))) {
      return false;
    }
    held.record = r;
    held.lockRefreshedAt = now;
    state = State.BUSY;
    if (held.deferredAck != null) {
      finish(held.deferredAck);
    }
    return true;
  }

  /** Gives up on a RENEW whose record has not come back within {@code patience}. */
  void checkRenewal(Instant now, Duration patience) {
    if (state == State.RENEWING && !now.isBefore(renewSentAt.plus(patience))) {
      LOG.warn("lane {}: {} did not come back after RENEW; its lock is presumed lost", index, held);
      loseLock();
    }
  }

  private void loseLock() {
    held.lockLost = true;
    state = State.BUSY;
    if (held.deferredAck != null) {
      finish(held.deferredAck);
    }
  }

  /** The lock the broker reports for this consumer, if it said. */
  Optional<Integer> brokerLockMs() {
    return consumer.acquisitionLockTimeoutMs();
  }

  /** Sends acknowledgements made since the last poll or commit. */
  void flush() {
    if (ackPending && !closed && waiting.isEmpty()) {
      ackPending = false;
      try {
        consumer.commitAsync();
      } catch (KafkaException e) {
        LOG.warn("lane {}: commit failed: {}", index, e.getMessage());
      }
    }
  }

  void commitSync(Duration timeout) {
    if (closed) {
      return;
    }
    try {
      consumer.commitSync(timeout);
    } catch (KafkaException e) {
      LOG.warn("lane {}: final commit failed: {}", index, e.getMessage());
    }
  }

  private void onCommitted(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
    if (error == null) {
      return;
    }
    LOG.warn("lane {}: the broker refused acknowledgements {}: {}", index, offsets, error.getMessage());
    if (state == State.RENEWING && held != null) {
      offsets.forEach((tp, set) -> {
        if (tp.topic().equals(held.key.topic()) && tp.partition() == held.key.partition()
            && set.contains(held.key.offset())) {
          loseLock();
        }
      });
    }
  }

  /** Closes the consumer; unacknowledged records go back to the group. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  boolean isClosed() {
    return closed;
  }

  void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      consumer.close(timeout);
    } catch (KafkaException | IllegalStateException e) {
      LOG.warn("lane {}: close failed: {}", index, e.getMessage());
    }
  }
}
