package dev.gowork.coordinator.events;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.state.CommitWatcher;
import dev.gowork.coordinator.state.InstanceTakeover;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds in-process handlers from the events topic, so that they see every committed event at
 * least once, also across a coordinator crash: a consumer in the group {@code <p>.handlers}
 * (read_committed) reads {@code <p>.events}, hands each batch to the {@link EventDispatcher}'s
 * dispatch thread, waits until listeners and handlers returned, and only then commits the batch's
 * offsets (at most once a second while running; at once on a rebalance and on close). A coordinator killed between a transaction's commit and its handlers leaves those
 * offsets uncommitted, so its successor calls the handlers for those events (again, when some ran
 * already: handlers use the work id, or the event id, as their idempotency key).
 *
 * <p>Fast path: events this coordinator commits into a partition the feed owns are handed to the
 * handlers as soon as their transaction commits (as a {@link CommitWatcher} of the transactional
 * writer), without waiting for the markers to be written and the events read back. Their places are
 * claimed before the commit, so the feed skips them when it reads them, but still waits for their
 * handlers before committing past them: the crash guarantee above is unchanged. A graceful stop
 * reads the partitions to their end first, so a successor does not handle those events again. When
 * the group moves a partition, the events committed into it just before may reach handlers twice.
 *
 * <p>With several coordinators on one prefix the group splits the events partitions between them:
 * each event reaches the handlers of one coordinator. The first start of a group begins at the
 * topic's end (history is not replayed into new handlers); later starts resume where the group
 * committed.
 *
 * <p>Another coordinator started with this one's instance id fences its membership: the feed then
 * stops for good, without rejoining, which would fence the newer one's in turn ({@link InstanceTakeover}).
 *
 * <p>(One long class because the feed loop and the fast path share the claims on event places and
 * the offsets to commit.)
 */
public final class HandlerFeed implements CommitWatcher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerFeed.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration DRAIN = Duration.ofSeconds(5);
  /**
   * How often handled offsets are committed while running (also on a rebalance and on close): a
   * crash hands at most this much of handled events to the successor's handlers again, and an idle
   * trickle does not cost one offset commit per event.
   */
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);

  private final KafkaClients kafka;
  private final String topic;
  private final String group;
  private final String instanceId;
  private final WireCodec codec;
  private final EventDispatcher dispatcher;
  private final InstanceTakeover takeover;
  private final Thread thread;
  private Consumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean crashing;
  /** Guards {@link #owned} and itself: events whose handlers start when their transaction commits. */
  private final Map<At, CompletableFuture<Void>> claims = new HashMap<>();
  private final Set<Integer> owned = new HashSet<>();
  /** Partitions of the events topic, once known (0 before). */
  private volatile int partitionCount;

  /** A record's place in the events topic. */
  private record At(int partition, long offset) {}

  /**
   * @param instanceId this coordinator's static group member id: a replacement with the same id takes
   *     over the crashed one's partitions at once instead of after the session timeout
   * @param takeover where this coordinator being taken over is recorded, by this feed or another duty
   */
  public HandlerFeed(KafkaClients kafka, String topic, String group, String instanceId, WireCodec codec,
      EventDispatcher dispatcher, InstanceTakeover takeover) {
    this.kafka = kafka;
    this.topic = topic;
    this.group = group;
    this.instanceId = instanceId;
    this.codec = codec;
    this.dispatcher = dispatcher;
    this.takeover = takeover;
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
      partitionCount = partitions;
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

  /**
   * Sets when handlers see the events this coordinator makes: at their commit (the default) or, with
   * {@link HandlerTiming#APPLY}, as soon as they are emitted when this feed reads the partition their
   * key goes to (its place is claimed when written, so the feed does not hand it over again).
   */
  public void runHandlersAt(HandlerTiming timing) {
    dispatcher.dispatchOnEmit(timing == HandlerTiming.APPLY ? this::readsKey : null);
  }

  /**
   * True when the events of {@code key} go to a partition this feed reads now (the producer's
   * default partitioner: murmur2 of the key's bytes).
   */
  boolean readsKey(String key) {
    int n = partitionCount;
    if (n <= 0) {
      return false;
    }
    int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % n;
    synchronized (claims) {
      return owned.contains(partition);
    }
  }

  /** Starts consuming on its own thread ({@code gowork-handler-feed}). */
  public void start() {
    // A long fetch wait costs no latency (the broker answers as soon as events are committed) and
    // spares an idle coordinator ~100 empty fetches a second.
    consumer = kafka.consumer(group, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500));
    thread.start();
  }

  private void loop() {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    long lastCommit = System.nanoTime();
    try {
      consumer.subscribe(List.of(topic), new Rebalance(done));
      while (running && !takeover.happened()) {
        ConsumerRecords<String, byte[]> batch = poll();
        if (batch != null && !batch.isEmpty() && (!handle(batch, done) || crashing)) {
          return;
        }
        if (!done.isEmpty() && System.nanoTime() - lastCommit >= COMMIT_EVERY.toNanos()) {
          commit(done, false);
          lastCommit = System.nanoTime();
        }
      }
      if (!crashing && !takeover.happened()) {
        readToEnd(done);
      }
    } catch (RuntimeException e) {
      LOG.error("the handler feed stopped", e);
    } finally {
      if (!crashing && !takeover.happened()) {
        commit(done, true);
      }
      try {
        // A static member stays in the group when it merely closes, keeping its events partitions from the
        // other coordinators until the session timeout (45 s); leaving hands them over at once (its offsets
        // are committed above). A crash stays in, so a same-id replacement takes them back at once; a feed
        // taken over has no membership left.
        consumer.close(crashing || takeover.happened() ? CloseOptions.timeout(Duration.ZERO)
            : CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.debug("closing the handler feed: {}", e.toString());
      }
    }
  }

  /** The next batch; null when the poll was woken or failed (after a pause). */
  private ConsumerRecords<String, byte[]> poll() {
    try {
      return consumer.poll(POLL);
    } catch (WakeupException e) {
      return null;
    } catch (FencedInstanceIdException e) {
      takeover.noticed("membership of the handlers' group (" + group + ")", e);
      return null;
    } catch (KafkaException e) {
      LOG.warn("polling {} for handlers failed; retrying in 1 s: {}", topic, e.toString());
      sleep(1000);
      return null;
    }
  }

  /**
   * Hands the batch's events to the handlers, except those already handed over when their
   * transaction committed, and waits for all of them; then adds the batch's offsets to {@code done}.
   *
   * @return false when the handlers did not all run (the dispatcher stopped): nothing is added
   */
  private boolean handle(ConsumerRecords<String, byte[]> batch, Map<TopicPartition, OffsetAndMetadata> done) {
    List<Event> events = new ArrayList<>(batch.count());
    List<CompletableFuture<Void>> handedOver = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> read = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : batch) {
      CompletableFuture<Void> local = claimed(r.partition(), r.offset());
      if (local != null) {
        handedOver.add(local);
      } else {
        Decoded<Event> d = codec.decodeEvent(r.value());
        if (d.isOk()) {
          events.add(d.value());
        } else {
          LOG.warn("events record {}-{}@{} skipped by the handlers: {}", r.topic(), r.partition(), r.offset(),
              d.error());
        }
      }
      read.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    if (!dispatcher.deliverAndWait(events) || !awaitAll(handedOver)) {
      return false;
    }
    read.forEach((tp, o) -> done.merge(tp, o, (a, b) -> a.offset() >= b.offset() ? a : b));
    return true;
  }

  /** Waits for handlers started when their transaction committed; false when they will not run. */
  private boolean awaitAll(List<CompletableFuture<Void>> handedOver) {
    for (CompletableFuture<Void> f : handedOver) {
      while (true) {
        try {
          f.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          if (crashing) {
            return false;
          }
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /**
   * On a graceful stop: handles what was committed up to now (for up to {@link #DRAIN}), so that the
   * events whose handlers already ran when their transaction committed are not handled again by the
   * next coordinator.
   */
  private void readToEnd(Map<TopicPartition, OffsetAndMetadata> done) {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return;
    }
    long end = System.nanoTime() + DRAIN.toNanos();
    Map<TopicPartition, Long> ends = null;
    for (int tries = 0; ends == null && tries < 2; tries++) {
      try {
        ends = consumer.endOffsets(assigned, DRAIN);
      } catch (WakeupException e) {
        // the wake-up of stop(): try once more
      } catch (KafkaException e) {
        LOG.debug("reading the end of {} on close: {}", topic, e.toString());
        return;
      }
    }
    if (ends == null) {
      return;
    }
    // The end offsets may not cover a transaction that committed a moment ago (its markers come
    // after the commit returns): claimed events are waited for as well.
    while (System.nanoTime() - end < 0 && (!caughtUp(ends) || claimsLeft())) {
      ConsumerRecords<String, byte[]> batch = poll();
      if (batch != null && !batch.isEmpty() && !handle(batch, done)) {
        return;
      }
    }
  }

  /** True while some claimed event was not read back yet. */
  boolean claimsLeft() {
    synchronized (claims) {
      return !claims.isEmpty();
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> ends) {
    Set<TopicPartition> assigned = consumer.assignment();
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (assigned.contains(e.getKey()) && consumer.position(e.getKey(), DRAIN) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Claims the places of the events written into partitions this feed owns; once their transaction
   * commits, hands them to the handlers at once (the feed skips them when it reads them back, but
   * waits for their handlers before committing past them).
   */
  @Override
  public Outcome writing(List<CommitWatcher.Placed> events) {
    List<Event> claimed = new ArrayList<>();
    List<At> places = new ArrayList<>();
    List<CompletableFuture<Void>> handled = new ArrayList<>();
    List<At> early = new ArrayList<>();
    synchronized (claims) {
      for (CommitWatcher.Placed p : events) {
        if (p.handled() != null) {
          // Handed to the handlers when emitted: the feed skips it, waits for them, and leaves it be
          // if the transaction aborts (its retry claims the event's new place).
          if (owned.contains(p.partition())) {
            At at = new At(p.partition(), p.offset());
            claims.put(at, p.handled());
            early.add(at);
          } else {
            LOG.debug("event {} was handled here and goes to a partition another coordinator reads",
                p.event().id());
          }
        } else if (owned.contains(p.partition())) {
          At at = new At(p.partition(), p.offset());
          CompletableFuture<Void> f = new CompletableFuture<>();
          claims.put(at, f);
          claimed.add(p.event());
          places.add(at);
          handled.add(f);
        }
      }
    }
    if (claimed.isEmpty() && early.isEmpty()) {
      return committed -> { };
    }
    return committed -> {
      if (!committed && !early.isEmpty()) {
        synchronized (claims) {
          early.forEach(claims::remove);
        }
      }
      if (claimed.isEmpty()) {
        return;
      }
      List<Event> here = new ArrayList<>(claimed.size());
      List<CompletableFuture<Void>> waiting = new ArrayList<>(handled.size());
      synchronized (claims) {
        for (int i = 0; i < claimed.size(); i++) {
          CompletableFuture<Void> f = handled.get(i);
          if (f.isCancelled()) {
            continue; // its partition moved to another coordinator, which handles it
          }
          boolean readBack = !claims.containsKey(places.get(i));
          if (committed || readBack) {
            // Committed; or reported failed although the feed read it back (e.g. the commit's answer
            // was lost): it did commit, and the feed waits for its handlers.
            here.add(claimed.get(i));
            waiting.add(f);
          } else {
            claims.remove(places.get(i));
            f.cancel(false); // aborted: nobody will read it
          }
        }
      }
      if (here.isEmpty()) {
        return;
      }
      dispatcher.deliverLater(here).whenComplete((ok, error) -> waiting.forEach(f -> {
        if (error == null) {
          f.complete(null);
        } else {
          f.completeExceptionally(error);
        }
      }));
    };
  }

  /** True while the group gives this feed {@code partition} (for tests). */
  boolean owns(int partition) {
    synchronized (claims) {
      return owned.contains(partition);
    }
  }

  /** The handlers started for the record at this place when its transaction committed, or null. */
  private CompletableFuture<Void> claimed(int partition, long offset) {
    synchronized (claims) {
      return claims.isEmpty() ? null : claims.remove(new At(partition, offset));
    }
  }

  /** The group gave ({@code owns}) or took {@code partitions} (feed thread; package-private for tests). */
  void owned(Collection<TopicPartition> partitions, boolean owns) {
    synchronized (claims) {
      for (TopicPartition tp : partitions) {
        if (owns) {
          owned.add(tp.partition());
        } else {
          owned.remove(tp.partition());
          // The partition's next owner reads these events; they are not handled here as well.
          claims.entrySet().removeIf(e -> {
            boolean moved = e.getKey().partition() == tp.partition();
            if (moved) {
              e.getValue().cancel(false);
            }
            return moved;
          });
        }
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
      owned(partitions, false);
      if (!crashing && !takeover.happened()) {
        commit(done, true);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitionCount <= 0) {
        try {
          partitionCount = consumer.partitionsFor(topic).size();
        } catch (KafkaException e) {
          LOG.debug("the partitions of {} are not known yet: {}", topic, e.toString());
        }
      }
      owned(partitions, true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      owned(partitions, false);
      partitions.forEach(done::remove);
    }
  }
}
