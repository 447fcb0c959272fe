package dev.gowork.coordinator.queue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's own share consumers, one per queue, for workers that fetch work over HTTP (the
 * seed's {@code Get}). Each joins the queue's share group like any worker, takes at most one record
 * per short poll and ACCEPTs it at once: from then on the coordinator's state (running, deadline)
 * governs the item, not the broker's lock.
 *
 * <p>A member of a share group holds its share of the queue's partitions whether it polls or not:
 * while it is in the group, the records of those partitions wait for HTTP calls. So a consumer that
 * no call used for a while leaves the group ({@link #closeIdle}, run by the work server's
 * {@code CloseIdleHandouts} task), and the Kafka workers get those partitions back.
 *
 * <p>Concurrency: a share consumer is single-threaded, so each queue's consumer is used under its
 * own lock; a caller that cannot get the lock within the poll timeout gets nothing, and one waiting for
 * it when {@link #stopTaking} is called gets nothing at once. A new consumer
 * needs a second or more to join its group, so the first calls on a queue usually come back empty.
 */
public final class TakeNextWork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TakeNextWork.class);
  /** How long after the share group refused a consumer (it was full) a new one tries: then twice that, up to 30 s. */
  static final Duration FULL_GROUP_FIRST_RETRY = Duration.ofSeconds(5);
  static final Duration FULL_GROUP_RETRY = Duration.ofSeconds(30);
  /**
   * How long a consumer that tried again after a refusal polls unrefused before it counts as in the group, when
   * no work shows it sooner: the broker refuses in its answer to the first heartbeat, well within that.
   */
  static final Duration FULL_GROUP_CONFIRM = Duration.ofSeconds(10);
  private final ShareConsumers consumers;
  private final Topics topics;
  private final WireCodec codec;
  private final Duration pollTimeout;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public TakeNextWork(KafkaClients clients, Topics topics, WireCodec codec, Duration pollTimeout) {
    this(clients::shareConsumer, topics, codec, pollTimeout);
  }

  TakeNextWork(ShareConsumers consumers, Topics topics, WireCodec codec, Duration pollTimeout) {
    this(consumers, topics, codec, pollTimeout, System::nanoTime);
  }

  TakeNextWork(ShareConsumers consumers, Topics topics, WireCodec codec, Duration pollTimeout, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.consumers = consumers;
    this.topics = topics;
    this.codec = codec;
    this.pollTimeout = pollTimeout;
  }

  /** Where the share consumers come from: {@link KafkaClients#shareConsumer} (a test may hold one up). */
  interface ShareConsumers {
    ShareConsumer<String, byte[]> create(String groupId, Map<String, Object> overrides);
  }

  /**
   * A record taken: its envelope, or why it could not be decoded, and how many times the group has
   * delivered it (this delivery included).
   */
  public record Taken(Decoded<WorkEnvelope> decoded, int deliveries) {
    /**
     * The work as the attempt this delivery is: the envelope's attempt + deliveries − 1, as a Kafka
     * worker counts it (a record that came back after a worker's lock ran out is a new attempt).
     */
    public WorkEnvelope work() {
      WorkEnvelope w = decoded.value();
      return deliveries <= 1 ? w : w.withAttempt((int) Math.min(Integer.MAX_VALUE, (long) w.attempt() + deliveries - 1));
    }
  }

  /**
   * Takes the next record of {@code queue}, already acknowledged.
   *
   * @return empty when none came within the poll timeout; else the record taken
   * @throws GoWorkException UNAVAILABLE when Kafka fails (the consumer is recreated on the next call)
   * @throws FullShareGroupException when the queue's share group is full and refused this consumer
   */
  public Optional<Taken> take(String queue) {
    if (closed) {
      return Optional.empty();
    }
    Slot slot = slots.computeIfAbsent(queue, q -> new Slot());
    try {
      if (!lockForTake(slot)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    try {
      if (closed) {
        return Optional.empty();
      }
      slot.lastUsed = System.nanoTime();
      if (slot.fullSince != null && nanoTime.getAsLong() - slot.fullUntilNanos < 0) {
        throw fullGroup(queue, slot.fullSince);
      }
      if (slot.consumer == null) {
        slot.consumer = consumers.create(topics.shareGroup(queue), Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
        slot.consumer.subscribe(List.of(topics.work(queue)));
        slot.createdNanos = nanoTime.getAsLong();
      }
      synchronized (slot) {
        if (closed) {
          return Optional.empty();
        }
        slot.polling = true; // from here until the poll returns, stopTaking wakes it
      }
      ConsumerRecords<String, byte[]> polled;
      try {
        polled = slot.consumer.poll(pollTimeout);
      } finally {
        synchronized (slot) {
          slot.polling = false;
        }
      }
      // Read after the poll has ended: a stopTaking from now on no longer wakes this consumer, so the
      // commit of a record taken here is never cut off (its outcome would be unknown).
      boolean taking = !closed;
      ConsumerRecord<String, byte[]> first = null;
      boolean released = false;
      for (ConsumerRecord<String, byte[]> r : polled) {
        boolean take = first == null && taking; // one polled as the server began to close goes back
        slot.consumer.acknowledge(r, take ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
        first = take ? r : first;
        released |= !take;
      }
      if (slot.fullSince != null
          && (!polled.isEmpty() || nanoTime.getAsLong() - slot.createdNanos >= FULL_GROUP_CONFIRM.toNanos())) {
        slot.fullSince = null; // a later refusal is a new episode: warned again, tried again after 5 s
        LOG.info("queue '{}': the HTTP hand-out's consumer joined the share group; HTTP workers get work again", queue);
      }
      if (first == null) {
        if (released) {
          slot.consumer.commitSync(Duration.ofSeconds(5));
        }
        return Optional.empty();
      }
      Map<TopicIdPartition, Optional<KafkaException>> acks = slot.consumer.commitSync(Duration.ofSeconds(5));
      for (Optional<KafkaException> failure : acks.values()) {
        if (failure.isPresent()) {
          LOG.warn("taking a record of queue '{}' failed (the lock was lost): {}", queue, failure.get().toString());
          return Optional.empty();
        }
      }
      return Optional.of(new Taken(codec.decodeWork(first.value()),
          first.deliveryCount().map(Short::intValue).orElse(1)));
    } catch (WakeupException e) {
      return Optional.empty();
    } catch (GroupMaxSizeReachedException e) {
      discard(slot);
      if (slot.fullSince == null) {
        slot.fullSince = e.getMessage();
        slot.fullRetry = FULL_GROUP_FIRST_RETRY;
        LOG.warn("queue '{}': its share group is full ({}); HTTP workers get no work through this coordinator until it "
            + "has room (its consumer tries to join again, every {} s at most). Every slot of every worker replica is a "
            + "member: lower GOWORK_CONCURRENCY or raise group.share.max.size on the brokers", queue, e.getMessage(),
            FULL_GROUP_RETRY.toSeconds());
      } else {
        slot.fullRetry = FULL_GROUP_RETRY.compareTo(slot.fullRetry.multipliedBy(2)) < 0 ? FULL_GROUP_RETRY
            : slot.fullRetry.multipliedBy(2);
      }
      slot.fullUntilNanos = nanoTime.getAsLong() + slot.fullRetry.toNanos();
      throw fullGroup(queue, slot.fullSince);
    } catch (KafkaException e) {
      discard(slot);
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not take work from queue '" + queue + "': "
          + e.getMessage(), e);
    } finally {
      unlock(slot);
    }
  }

  /**
   * Takes the slot's lock, waiting up to the poll timeout for it.
   *
   * @return false when the wait ran out, or takes stopped before it got the lock
   */
  private boolean lockForTake(Slot slot) throws InterruptedException {
    long end = System.nanoTime() + pollTimeout.toNanos();
    // Waits on the slot's monitor, not in the lock's own queue, so that stopTaking can wake it.
    synchronized (slot) {
      for (long left = pollTimeout.toNanos(); !closed; left = end - System.nanoTime()) {
        if (slot.lock.tryLock()) {
          return true;
        }
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(slot, left);
      }
      return false;
    }
  }

  /** Releases the slot's lock and wakes the calls waiting for it. */
  private static void unlock(Slot slot) {
    slot.lock.unlock();
    synchronized (slot) {
      slot.notifyAll();
    }
  }

  /**
   * Takes nothing more: a call from now on answers empty, a call waiting for its queue's lock or in its
   * poll is woken and answers empty at once, and a record polled meanwhile is RELEASEd to the group, not
   * handed out. A record already taken is not affected: its ACCEPT is committed and the call returns it.
   * {@link #close} still closes the consumers.
   */
  public void stopTaking() {
    closed = true;
    slots.values().forEach(TakeNextWork::wake);
  }

  /**
   * Wakes the calls waiting for the slot's lock, and ends its poll if one is under way. Only a poll: a
   * pending wakeup would make the commit of a record just taken throw, and that record's ACCEPT would
   * then be unknown (taken by Kafka or not).
   */
  private static void wake(Slot slot) {
    synchronized (slot) {
      slot.notifyAll();
      if (slot.polling && slot.consumer != null) {
        slot.consumer.wakeup();
      }
    }
  }

  /**
   * Closes the consumers of the queues that no call used for {@code idle}, so that they leave their
   * share groups; a later call joins again.
   *
   * @return the queues whose consumer was closed
   */
  public List<String> closeIdle(Duration idle) {
    List<String> closedQueues = new java.util.ArrayList<>();
    long now = System.nanoTime();
    slots.forEach((queue, slot) -> {
      if (slot.consumer != null && now - slot.lastUsed >= idle.toNanos() && slot.lock.tryLock()) {
        try {
          if (slot.consumer != null && now - slot.lastUsed >= idle.toNanos()) {
            discard(slot);
            closedQueues.add(queue);
          }
        } finally {
          unlock(slot);
        }
      }
    });
    return closedQueues;
  }

  /**
   * The answer while {@code queue}'s share group refuses this coordinator's consumer: it is full (the
   * brokers' {@code group.share.max.size}). A refused consumer is dead, and a new one per call would cost
   * the broker a join and log two errors each time, so a new one tries after {@link #FULL_GROUP_FIRST_RETRY},
   * then twice as long each time it is refused again, up to {@link #FULL_GROUP_RETRY}.
   */
  private static FullShareGroupException fullGroup(String queue, String why) {
    return new FullShareGroupException(queue, why);
  }

  private static void discard(Slot slot) {
    if (slot.consumer != null) {
      try {
        slot.consumer.close(Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        LOG.debug("closing a failed share consumer: {}", e.toString());
      }
      slot.consumer = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Slot s : slots.values()) {
      wake(s);
      s.lock.lock();
      try {
        if (s.consumer != null) {
          s.consumer.close(Duration.ofSeconds(5));
          s.consumer = null;
        }
      } finally {
        unlock(s);
      }
    }
  }

  private static final class Slot {
    /** Held by the call using the consumer; a take waits for it on the slot's monitor ({@code lockForTake}). */
    final ReentrantLock lock = new ReentrantLock();
    ShareConsumer<String, byte[]> consumer;
    /** True while a call is in {@code consumer.poll}; guarded by the slot's monitor. */
    boolean polling;
    /** Why the share group refused this queue's consumer (it was full), or null; under {@link #lock}. */
    String fullSince;
    /** Until when (on the monotonic clock) a call answers {@link #fullGroup} without trying; under {@link #lock}. */
    long fullUntilNanos;
    /** How long the last refusal puts the next try off: 5 s, then twice as long each time, up to 30 s. */
    Duration fullRetry;
    /** When (on the monotonic clock) the consumer was created, under {@link #lock}. */
    long createdNanos;
    /** {@link System#nanoTime} of the last call, under {@link #lock} (read without it by {@link #closeIdle}). */
    volatile long lastUsed;
  }
}
