package dev.gowork.coordinator.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits journal entries, and the results consumer's offsets, in one Kafka transaction with a
 * transactional producer whose id is stable per coordinator instance ({@code <p>.coordinator-<id>}).
 * {@link #init()} fences an earlier holder of the id and aborts its open transaction, so a
 * restarted coordinator reads only what its predecessor committed.
 *
 * <p>Failure modes: a transaction that fails for any reason other than fencing is aborted, the
 * producer is replaced (a new {@code initTransactions}), and {@link #commit} returns false; the
 * caller keeps the entries and tries again, so they land in a later transaction, whole. A transaction
 * the broker aborted (it outlived {@code transaction.timeout.ms}: {@code InvalidProducerEpochException})
 * is aborted on the same producer and retried likewise. Fencing (another instance took the id) is
 * final: {@link Fenced} is thrown and this coordinator must stop writing. Used by one thread only.
 */
public final class TransactionalWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionalWriter.class);
  private final Supplier<Producer<String, byte[]>> factory;
  private final Map<Journal.Kind, String> topics;
  private final String id;
  private final byte[] writer;
  /** Header on every state and session record: the transactional id of the coordinator that wrote it. */
  public static final String WRITER_HEADER = "gowork-writer";
  private Producer<String, byte[]> producer;
  private boolean open;
  private volatile CommitWatcher watcher = CommitWatcher.NONE;

  /**
   * Another coordinator with the same transactional id took over, or another coordinator fenced the
   * id after the coordinators' group dropped this one ({@link AbandonedTransactions}).
   */
  public static final class Fenced extends RuntimeException {
    Fenced(Throwable cause) {
      super("this coordinator was fenced: another instance with the same transactional id took it over, or another "
          + "coordinator fenced a transaction it found open while the coordinators' group had dropped this one: "
          + cause, cause);
    }
  }

  /**
   * Kafka refused the transaction as not authorized (its ACLs): this coordinator cannot commit, and it is
   * not a takeover, so it says what to fix instead.
   */
  public static final class NotAuthorized extends RuntimeException {
    NotAuthorized(String transactionalId, AuthorizationException cause) {
      super("Kafka refused this coordinator's transaction as not authorized: allow transactional id "
          + transactionalId + " and its topics and group (" + cause + ")", cause);
    }
  }

  /** @param writerId this coordinator's transactional id, put on its state and session records */
  public TransactionalWriter(Supplier<Producer<String, byte[]>> factory, String writerId, String stateTopic,
      String sessionsTopic, String eventsTopic, String controlTopic, String schedulesTopic, String queuesTopic) {
    this.factory = factory;
    this.id = writerId;
    this.writer = writerId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // An EnumMap: looked up per record, and Map.of's probing showed in a burst's profile (2026-12-06).
    this.topics = new EnumMap<>(Map.of(Journal.Kind.STATE, stateTopic, Journal.Kind.SESSION, sessionsTopic,
        Journal.Kind.EVENT, eventsTopic, Journal.Kind.CONTROL, controlTopic, Journal.Kind.SCHEDULE, schedulesTopic,
        Journal.Kind.QUEUE, queuesTopic));
  }

  /** This coordinator's transactional id. */
  public String transactionalId() {
    return id;
  }

  /** The topics this writer writes in its transactions. */
  public java.util.Collection<String> topics() {
    return List.copyOf(topics.values());
  }

  /** Tells {@code w} where each transaction's events were written and whether it committed. */
  public void watch(CommitWatcher w) {
    watcher = Objects.requireNonNull(w, "watcher");
  }

  /**
   * Creates the producer and runs {@code initTransactions} (fencing any predecessor).
   *
   * @throws KafkaException when Kafka does not answer
   */
  public void init() {
    if (producer == null) {
      Producer<String, byte[]> p = factory.get();
      try {
        p.initTransactions();
      } catch (RuntimeException e) {
        p.close(Duration.ZERO);
        throw e;
      }
      producer = p;
    }
  }

  /**
   * Sends {@code entries} and commits them with {@code offsets} (may be empty) in one transaction.
   *
   * @return true when committed; false when it failed and may be retried with the same entries
   * @throws Fenced when another instance owns the transactional id now
   * @throws NotAuthorized when Kafka refused it as not authorized
   */
  boolean commit(List<Journal.Entry> entries, Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata group) {
    CommitWatcher w = watcher;
    CommitWatcher.Outcome outcome = null;
    try {
      init();
      producer.beginTransaction();
      open = true;
      List<Future<RecordMetadata>> eventSends = new ArrayList<>();
      List<Journal.Entry> events = new ArrayList<>();
      for (Journal.Entry e : entries) {
        if (e.kind() != null) {
          ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.get(e.kind()), e.key(), e.value());
          if (e.kind() != Journal.Kind.EVENT) {
            r.headers().add(WRITER_HEADER, writer);
          }
          Future<RecordMetadata> sent = producer.send(r);
          if (e.kind() == Journal.Kind.EVENT && e.event() != null && w != CommitWatcher.NONE) {
            eventSends.add(sent);
            events.add(e);
          }
        }
      }
      if (!offsets.isEmpty() && group != null) {
        producer.sendOffsetsToTransaction(offsets, group);
      }
      if (!eventSends.isEmpty()) {
        outcome = w.writing(placed(events, eventSends));
      }
      commitOpenTransaction();
      open = false;
      if (outcome != null) {
        outcome.ended(true);
      }
      return true;
    } catch (InvalidProducerEpochException e) {
      // A partition leader saw a newer epoch of this id, an abortable error. The broker aborted this
      // transaction when it outlived transaction.timeout.ms, or another instance took the id; an abort on
      // this producer tells them apart (the second throws ProducerFencedException).
      aborted(outcome);
      if (abortOnThisProducer()) {
        LOG.warn("the broker aborted a transaction of {} changes ({}); the changes are retried", entries.size(),
            e.toString());
        return false;
      }
      discard();
      throw new Fenced(e);
    } catch (ProducerFencedException e) {
      discard();
      aborted(outcome);
      throw new Fenced(e);
    } catch (AuthorizationException e) {
      discard();
      aborted(outcome);
      throw new NotAuthorized(id, e);
    } catch (KafkaException | IllegalStateException e) {
      LOG.warn("committing {} changes failed ({}); the producer is replaced and the changes retried", entries.size(),
          e.toString());
      discard();
      aborted(outcome);
      return false;
    }
  }

  /**
   * Commits the open transaction. A commit whose answer did not come within {@code max.block.ms} may
   * have committed on the broker: it is asked again on the same producer, as Kafka allows, instead of
   * being written again in a new transaction, which would commit its records twice. Closing the
   * producer (a crash or a stop) ends the asking.
   */
  private void commitOpenTransaction() {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.commitTransaction();
        return;
      } catch (TimeoutException e) {
        LOG.warn("no answer to commit {} in time; asking again", attempt);
      }
    }
  }

  /** Waits for the events' sends (the records are written, not yet committed) and pairs each with its place. */
  private List<CommitWatcher.Placed> placed(List<Journal.Entry> events, List<Future<RecordMetadata>> sends) {
    producer.flush();
    List<CommitWatcher.Placed> placed = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      RecordMetadata m;
      try {
        m = sends.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted while writing events", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof KafkaException k ? k : new KafkaException("writing an event failed", e.getCause());
      }
      Journal.Entry e = events.get(i);
      placed.add(new CommitWatcher.Placed(e.event(), m.partition(), m.offset(), e.handled()));
    }
    return placed;
  }

  private static void aborted(CommitWatcher.Outcome outcome) {
    if (outcome != null) {
      outcome.ended(false);
    }
  }

  /**
   * Aborts the open transaction on the same producer; false when that failed (fenced, or the producer was
   * closed). An abort whose answer did not come within {@code max.block.ms} (Kafka away) is asked again on
   * the same producer, as Kafka allows: only the broker's answer tells a transaction it aborted from a
   * takeover, and a takeover stops this coordinator for good.
   */
  private boolean abortOnThisProducer() {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.abortTransaction();
        open = false;
        return true;
      } catch (TimeoutException e) {
        LOG.warn("no answer to abort {} after a stale producer epoch in time; asking again", attempt);
      } catch (RuntimeException e) {
        LOG.debug("abort after a stale epoch failed: {}", e.toString());
        return false;
      }
    }
  }

  /** Aborts the open transaction, if any (e.g. when crashing on purpose). */
  void abort() {
    if (producer != null && open) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException e) {
        LOG.debug("abort failed: {}", e.toString());
      }
      open = false;
    }
  }

  private void discard() {
    abort();
    if (producer != null) {
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        LOG.debug("closing a failed transactional producer: {}", e.toString());
      }
      producer = null;
    }
    open = false;
  }

  /** Drops the producer without waiting (its open transaction is aborted by whoever inits the id next). */
  void closeNow() {
    if (producer != null) {
      producer.close(Duration.ZERO);
      producer = null;
    }
  }

  @Override
  public void close() {
    if (producer != null) {
      abort();
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }
}
