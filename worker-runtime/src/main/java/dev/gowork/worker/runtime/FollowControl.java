package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.CancelNotice;
import dev.gowork.broker.wire.ControlNotice;
import dev.gowork.broker.wire.DecodeError;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.RevokeNotice;
import dev.gowork.broker.wire.WireCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code <p>.control} and the compacted {@code <p>.queues} from their beginning, then follows
 * them, on a thread of its own: cancelled work goes into {@link Cancellations}; a revoked session is
 * passed to {@code revoked} (the replica verifies again if it is its own); a paused or resumed queue
 * into {@link PausedQueues}. No consumer group: every replica reads every notice.
 *
 * <p>{@link #caughtUp} completes once the notices present at start have been read, so a replica can
 * wait for it before taking work and not run work cancelled while it was down. A topic that does not
 * exist (a coordinator older than cancellation) is looked for again every few seconds ({@code
 * <p>.queues}, of a coordinator older than pausing, is not looked for again); a notice of an
 * unknown schema (a newer coordinator's) is skipped. Kafka errors are logged and retried; the thread
 * ends at {@link #close()}. Cancelled ids are purged every 30 s on the monotonic {@code nanoTime}, each
 * one once its deadline (wall clock) has passed: a step of the wall clock neither stops the purge nor
 * brings it forward.
 */
final class FollowControl implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FollowControl.class);
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration RETRY = Duration.ofSeconds(5);
  private static final Duration PURGE_EVERY = Duration.ofSeconds(30);
  /** Few notices, so long fetches: the broker answers as soon as one arrives, else twice a second. */
  static final Map<String, Object> CONSUMER_SETTINGS = Map.of("fetch.max.wait.ms", 500, "max.poll.records", 1_000);

  private final Supplier<Consumer<String, byte[]>> open;
  private final String topic;
  private final String queuesTopic;
  private final Cancellations cancellations;
  private final PausedQueues paused;
  private final java.util.function.Consumer<String> revoked;
  private final Clock clock;
  /** A monotonic time source ({@link System#nanoTime} but in tests) for the purge's cadence. */
  private final LongSupplier nanoTime;
  private final WireCodec codec = WireCodec.defaults();
  final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Consumer<String, byte[]> consumer;
  private Map<TopicPartition, Long> startEnd;
  /** When the next purge is due, on {@link #nanoTime}. */
  private long nextPurgeNanos;
  private boolean missingWarned;

  FollowControl(Supplier<Consumer<String, byte[]>> open, String topic, String queuesTopic,
      Cancellations cancellations, PausedQueues paused, java.util.function.Consumer<String> revoked, Clock clock,
      LongSupplier nanoTime) {
    this.open = open;
    this.topic = topic;
    this.queuesTopic = queuesTopic;
    this.cancellations = cancellations;
    this.paused = paused;
    this.revoked = revoked;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.nextPurgeNanos = nanoTime.getAsLong();
  }

  @Override
  public void run() {
    try (Consumer<String, byte[]> c = open.get()) {
      consumer = c;
      if (closed) {
        return;
      }
      while (!closed) {
        try {
          if (c.assignment().isEmpty()) {
            if (!assign(c)) {
              pause(RETRY);
              continue;
            }
            // Empty partitions are read already: the replica need not wait for a poll (1 s) to start.
            checkCaughtUp(c);
          }
          for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
            take(r);
          }
          checkCaughtUp(c);
          purge();
        } catch (WakeupException e) {
          // close()
        } catch (KafkaException e) {
          LOG.warn("following {} failed; retrying in {} s: {}", topic, RETRY.toSeconds(), e.toString());
          pause(RETRY);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("following {} stopped: {}; cancelled work may still run here", topic, e.toString());
    } finally {
      caughtUp.complete(null);
    }
  }

  private boolean assign(Consumer<String, byte[]> c) {
    List<PartitionInfo> partitions = c.partitionsFor(topic, RETRY);
    if (partitions == null || partitions.isEmpty()) {
      if (!missingWarned) {
        LOG.warn("topic {} does not exist (a coordinator older than cancellation?); cancelled work is not "
            + "stopped here until it does", topic);
        missingWarned = true;
      }
      caughtUp.complete(null);
      return false;
    }
    List<TopicPartition> all = new java.util.ArrayList<>(partitions.stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList());
    List<PartitionInfo> queues = c.partitionsFor(queuesTopic, RETRY);
    if (queues == null || queues.isEmpty()) {
      LOG.warn("topic {} does not exist (a coordinator older than pausing?); paused queues are not seen here",
          queuesTopic);
    } else {
      queues.forEach(p -> all.add(new TopicPartition(queuesTopic, p.partition())));
    }
    c.assign(all);
    c.seekToBeginning(all);
    startEnd = new HashMap<>(c.endOffsets(all, RETRY));
    return true;
  }

  private void take(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      if (r.topic().equals(queuesTopic) && r.key() != null) {
        paused.forget(r.key());
      }
      return;
    }
    Decoded<ControlNotice> d = ControlNotice.decode(codec, r.value());
    if (!d.isOk()) {
      if (d.error().kind() == DecodeError.Kind.UNSUPPORTED_SCHEMA) {
        LOG.debug("skipping a notice of {} at {}-{}: {}", topic, r.partition(), r.offset(), d.error().message());
      } else {
        LOG.warn("skipping an undecodable record of {} at {}-{}: {}", topic, r.partition(), r.offset(),
            d.error().message());
      }
      return;
    }
    if (d.value() instanceof CancelNotice c) {
      cancellations.add(c, clock.millis());
      if (caughtUp.isDone()) {
        LOG.info("work {} was cancelled; it is not run here, or stopped if it runs", c.workId());
      }
    } else if (d.value() instanceof RevokeNotice v) {
      revoked.accept(v.workerId());
    } else if (d.value() instanceof QueueNotice q && paused.apply(q)) {
      LOG.info("queue {} {}{}", q.queue(), q.paused() ? "paused: no new work is taken from it" : "resumed",
          q.reason() == null ? "" : " (" + q.reason() + ")");
    }
  }

  private void checkCaughtUp(Consumer<String, byte[]> c) {
    if (caughtUp.isDone() || startEnd == null) {
      return;
    }
    startEnd.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
    if (startEnd.isEmpty()) {
      LOG.info("read {} cancelled work ids with open deadlines from {}", cancellations.size(), topic);
      caughtUp.complete(null);
    }
  }

  private void purge() {
    long nowNanos = nanoTime.getAsLong();
    if (nowNanos - nextPurgeNanos >= 0) {
      cancellations.forgetExpired(clock.millis());
      nextPurgeNanos = nowNanos + PURGE_EVERY.toNanos();
    }
  }

  private void pause(Duration d) {
    try {
      stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  /** Stops the thread (it closes its consumer). */
  @Override
  public void close() {
    closed = true;
    stop.countDown();
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}
