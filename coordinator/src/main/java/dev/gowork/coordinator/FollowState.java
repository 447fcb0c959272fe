package dev.gowork.coordinator;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.queue.QueuePauses;
import dev.gowork.coordinator.retry.Backoff;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.schedule.Schedules;
import dev.gowork.coordinator.state.TransactionalWriter;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps following {@code <p>.state} and {@code <p>.sessions} after the start's rebuild (thread
 * {@code gowork-follow-state}), so that this coordinator mirrors what other coordinators of the
 * prefix write: work they added (which this one may own), the state of work they own (for status
 * queries), and sessions they opened (so results signed under them verify here). Records this
 * coordinator wrote itself (header {@code gowork-writer}) are skipped: its memory is ahead of them.
 * It also reads {@code <p>.schedules} and {@code <p>.queues} whole, from their start, its own records
 * included: schedules and pauses take effect only as read back from there, on every coordinator alike.
 * An added item this coordinator owns gets its deadline tracked (and its retry planned) here.
 *
 * <p>{@link #catchUp} waits until everything committed so far has been applied; the results loop
 * calls it before it takes over partitions, and before it gives up on a result for work or a worker
 * it does not know yet.
 */
final class FollowState implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FollowState.class);
  private static final int IDLE_FETCH_WAIT_MS = 500;

  private final KafkaClients kafka;
  private final Admin admin;
  private final Topics topics;
  private final byte[] self;
  private final WorkTable table;
  private final WorkerRegistry workers;
  private final TimeoutTracker timeouts;
  private final RetryPlan retries;
  private final Backoff backoff;
  private final Clock clock;
  private final Schedules schedules;
  private final QueuePauses pauses;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final Thread thread;
  private Consumer<String, byte[]> consumer;
  private volatile boolean running = true;

  FollowState(KafkaClients kafka, Admin admin, Topics topics, String writerId, WorkTable table, WorkerRegistry workers,
      TimeoutTracker timeouts, RetryPlan retries, Backoff backoff, Clock clock, Schedules schedules,
      QueuePauses pauses) {
    this.kafka = kafka;
    this.admin = admin;
    this.topics = topics;
    this.self = writerId.getBytes(StandardCharsets.UTF_8);
    this.table = table;
    this.workers = workers;
    this.timeouts = timeouts;
    this.retries = retries;
    this.backoff = backoff;
    this.clock = clock;
    this.schedules = schedules;
    this.pauses = pauses;
    this.thread = new Thread(this::loop, "gowork-follow-state");
    this.thread.setDaemon(true);
  }

  /**
   * Starts following from {@code from} (where the rebuild stopped), one entry per partition of the
   * state and sessions topics, and of the schedules and queues topics (from 0).
   */
  void start(Map<TopicPartition, Long> from) {
    positions.putAll(from);
    // The broker answers a waiting fetch as soon as records arrive, so a long wait costs no latency;
    // the 10 ms default made this consumer send ~100 empty fetches a second on an idle coordinator.
    // The classic consumer: the group protocol's consumer logged a WARN at every clean stop, closing
    // with its long fetch in flight. This one has no group, so the setting only picks the client's
    // implementation (one without a background thread).
    consumer = kafka.consumer(null, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, IDLE_FETCH_WAIT_MS, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
    consumer.assign(List.copyOf(from.keySet()));
    from.forEach(consumer::seek);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            apply(r);
          }
          for (TopicPartition tp : consumer.assignment()) {
            positions.put(tp, consumer.position(tp));
          }
        } catch (WakeupException e) {
          // closing
        } catch (KafkaException e) {
          LOG.warn("following {} and {} failed; retrying in 1 s: {}", topics.state(), topics.sessions(), e.toString());
          sleep(1000);
        }
      }
    } finally {
      try {
        consumer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        LOG.debug("closing the state follower: {}", e.toString());
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    java.util.function.BiConsumer<String, byte[]> whole = r.topic().equals(topics.schedules()) ? schedules::apply
        : r.topic().equals(topics.queues()) ? pauses::apply : null;
    if (whole != null) {
      try {
        whole.accept(r.key(), r.value());
      } catch (RuntimeException e) {
        LOG.warn("record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
      return;
    }
    Header writer = r.headers().lastHeader(TransactionalWriter.WRITER_HEADER);
    if (r.key() == null || (writer != null && Arrays.equals(writer.value(), self))) {
      return;
    }
    String[] problem = new String[1];
    try {
      if (r.topic().equals(topics.sessions())) {
        if (r.value() != null && !workers.restore(r.key(), r.value(), problem)) {
          LOG.warn("session record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), problem[0]);
        }
        return;
      }
      if (r.value() == null) {
        table.followForgotten(r.key());
        return;
      }
      Optional<WorkTable.Restored> applied = table.follow(r.key(), r.value(), problem);
      if (applied.isEmpty()) {
        if (problem[0] != null) {
          LOG.warn("state record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), problem[0]);
        }
        return;
      }
      WorkTable.Restored w = applied.get();
      if (table.owns(w.workId())) {
        plan(w);
      }
    } catch (RuntimeException e) {
      LOG.warn("state record {}-{}@{} could not be applied", r.topic(), r.partition(), r.offset(), e);
    }
  }

  /** Tracks the deadline of an unfinished item this coordinator owns, and plans its retry or republication. */
  void plan(WorkTable.Restored w) {
    if (Lifecycle.isTerminal(w.state())) {
      return;
    }
    long now = clock.millis();
    timeouts.track(w.workId(), w.deadline());
    if (w.state() == WorkState.SCHEDULED) {
      retries.scheduleRelease(w.workId(), Math.max(now, w.runAt()));
    } else if (w.state() == WorkState.RETRY_WAIT) {
      // Its backoff counts from the failure, as planned by the coordinator that saw it: a restart or a
      // hand-over does not cut it short (the jitter is drawn again).
      long wait = backoff.delayMillis(w.attempt(), java.util.concurrent.ThreadLocalRandom.current().nextDouble());
      retries.schedule(w.workId(), w.attempt() + 1, Math.max(now, w.updatedAt() + wait));
    } else if (w.state() == WorkState.QUEUED && w.republish()) {
      retries.scheduleRepublish(w.workId(), w.attempt(), now);
    }
  }

  /**
   * Waits until every record committed to the topics it follows before this call has been applied.
   * "Committed" as the broker answers for readers: a transaction's commit returns before the broker
   * moves the readable end (the last stable offset) past its records, so a record this coordinator
   * itself just committed may not be covered. No caller needs that: this coordinator's own state and
   * session records are in its memory already, and its own schedules and pauses are awaited by content
   * ({@code awaitReadBack}), or counted as still on their way ({@code QueuePauses.awaitsReadBack}).
   *
   * @return false when that did not happen within {@code timeout} (Kafka slow or away)
   */
  boolean catchUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    positions.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    try {
      admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("could not read the end of {} and {}: {}", topics.state(), topics.sessions(), e.toString());
      return false;
    }
    while (System.nanoTime() - deadline < 0) {
      List<TopicPartition> behind = new ArrayList<>();
      ends.forEach((tp, end) -> {
        if (positions.getOrDefault(tp, 0L) < end) {
          behind.add(tp);
        }
      });
      if (behind.isEmpty()) {
        return true;
      }
      sleep(2);
    }
    LOG.warn("the state follower did not catch up within {}", timeout);
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
