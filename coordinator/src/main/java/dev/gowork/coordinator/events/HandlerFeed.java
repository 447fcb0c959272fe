package dev.gowork.coordinator.events;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds in-process handlers from the events topic, so that they see every committed event at
 * least once, also across a coordinator crash: a consumer in the group {@code <p>.handlers}
 * (read_committed) reads {@code <p>.events}, hands each batch to the {@link EventDispatcher}'s
 * dispatch thread, waits until listeners and handlers returned, and only then commits the batch's
 * offsets. A coordinator killed between a transaction's commit and its handlers leaves those
 * offsets uncommitted, so its successor calls the handlers for those events (again, when some ran
 * already: handlers use the work id, or the event id, as their idempotency key).
 *
 * <p>With several coordinators on one prefix the group splits the events partitions between them:
 * each event reaches the handlers of one coordinator. The first start of a group begins at the
 * topic's end (history is not replayed into new handlers); later starts resume where the group
 * committed.
 */
public final class HandlerFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerFeed.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaClients kafka;
  private final String topic;
  private final String group;
  private final String instanceId;
  private final WireCodec codec;
  private final EventDispatcher dispatcher;
  private final Thread thread;
  private Consumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean crashing;

  /**
   * @param instanceId this coordinator's static group member id: a replacement with the same id takes
   *     over the crashed one's partitions at once instead of after the session timeout
   */
  public HandlerFeed(KafkaClients kafka, String topic, String group, String instanceId, WireCodec codec,
      EventDispatcher dispatcher) {
    this.kafka = kafka;
    this.topic = topic;
    this.group = group;
    this.instanceId = instanceId;
    this.codec = codec;
    this.dispatcher = dispatcher;
    this.thread = new Thread(this::loop, "gowork-handler-feed");
    this.thread.setDaemon(true);
  }

  /**
   * Gives the group a starting point when it has none (the events topic's current end), so that
   * nothing this coordinator commits afterwards is missed; call before any event is committed.
   *
   * @throws KafkaException when Kafka does not answer within {@code timeout}
   */
  public void prepare(Admin admin, Duration timeout) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        if (committed.get(tp) == null) {
          missing.put(tp, OffsetSpec.latest());
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(missing)
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      ends.forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, start).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("handler group {} starts at the end of {} ({} partitions)", group, topic, start.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while preparing the handler group " + group, e);
    } catch (ExecutionException e) {
      // Another coordinator is active in the group (it cannot be altered then): its offsets stand.
      LOG.info("handler group {} not prepared ({}); it resumes from its committed offsets", group,
          e.getCause() == null ? e.toString() : e.getCause().toString());
    } catch (TimeoutException e) {
      throw new KafkaException("preparing the handler group " + group + " took longer than " + timeout, e);
    }
  }

  /** Starts consuming on its own thread ({@code gowork-handler-feed}). */
  public void start() {
    consumer = kafka.consumer(group, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId));
    thread.start();
  }

  private void loop() {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    try {
      consumer.subscribe(List.of(topic), new Rebalance(done));
      while (running) {
        ConsumerRecords<String, byte[]> batch;
        try {
          batch = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue;
        } catch (KafkaException e) {
          LOG.warn("polling {} for handlers failed; retrying in 1 s: {}", topic, e.toString());
          sleep(1000);
          continue;
        }
        if (batch.isEmpty()) {
          continue;
        }
        List<Event> events = new ArrayList<>(batch.count());
        for (ConsumerRecord<String, byte[]> r : batch) {
          Decoded<Event> d = codec.decodeEvent(r.value());
          if (d.isOk()) {
            events.add(d.value());
          } else {
            LOG.warn("events record {}-{}@{} skipped by the handlers: {}", r.topic(), r.partition(), r.offset(),
                d.error());
          }
          done.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
              (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        if (!dispatcher.deliverAndWait(events) || crashing) {
          return;
        }
        commit(done, false);
      }
    } catch (RuntimeException e) {
      LOG.error("the handler feed stopped", e);
    } finally {
      if (!crashing) {
        commit(done, true);
      }
      try {
        consumer.close(crashing ? Duration.ZERO : Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.debug("closing the handler feed: {}", e.toString());
      }
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> done, boolean sync) {
    if (done.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(done);
    done.clear();
    try {
      if (sync) {
        consumer.commitSync(offsets, Duration.ofSeconds(5));
      } else {
        consumer.commitAsync(offsets, (o, e) -> {
          if (e != null) {
            LOG.debug("committing the handler offsets failed (the events are handled again later): {}", e.toString());
          }
        });
      }
    } catch (RuntimeException e) {
      LOG.debug("committing the handler offsets failed (the events are handled again later): {}", e.toString());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Handles what was polled, commits its offsets and stops. */
  @Override
  public void close() {
    stop(false);
  }

  /**
   * Stops without committing again (a "kill"): what was not committed is handled again by the next
   * coordinator. Does not wait: the thread ends once the handler running now returns.
   */
  public void crash() {
    crashing = true;
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
  }

  private void stop(boolean crash) {
    crashing = crash;
    running = false;
    if (consumer == null) {
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Commits what was handled before partitions move to another coordinator. */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final Map<TopicPartition, OffsetAndMetadata> done;

    Rebalance(Map<TopicPartition, OffsetAndMetadata> done) {
      this.done = done;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!crashing) {
        commit(done, true);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(done::remove);
    }
  }
}
