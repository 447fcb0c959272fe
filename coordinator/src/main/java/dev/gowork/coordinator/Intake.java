package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds work: checks every item, records it as queued and tracks its deadline before sending (so no
 * result can arrive for an id the table does not know), sends all of a batch, then waits once.
 * {@code add_work} fires when the broker acknowledges the record; an item whose send fails is
 * forgotten and reported in the thrown error.
 */
final class Intake {
  private static final Logger LOG = LoggerFactory.getLogger(Intake.class);
  private final QueueTopics queues;
  private final WorkPublisher publisher;
  private final WorkTable table;
  private final TimeoutTracker timeouts;
  private final EventDispatcher events;
  private final Clock clock;
  private final Duration sendTimeout;

  Intake(QueueTopics queues, WorkPublisher publisher, WorkTable table, TimeoutTracker timeouts,
      EventDispatcher events, Clock clock, Duration sendTimeout) {
    this.queues = queues;
    this.publisher = publisher;
    this.table = table;
    this.timeouts = timeouts;
    this.events = events;
    this.clock = clock;
    this.sendTimeout = sendTimeout;
  }

  void addAll(Collection<Work> batch) {
    Instant now = clock.instant();
    List<WorkEnvelope> envelopes = new ArrayList<>(batch.size());
    List<byte[]> values = new ArrayList<>(batch.size());
    Set<String> ids = new HashSet<>();
    for (Work w : batch) {
      if (w == null) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "work must not be null");
      }
      if (!ids.add(w.id()) || table.knows(w.id())) {
        throw new GoWorkException(ErrorCode.CONFLICT, "work " + w.id() + " was already added");
      }
      WorkEnvelope e = new WorkEnvelope(w.id(), w.queue(), w.attempt(), w.maxAttempts(), w.timeoutSeconds(), w.data(),
          now, now.plusSeconds(w.timeoutSeconds()));
      values.add(publisher.encode(e));
      envelopes.add(e);
    }
    envelopes.stream().map(WorkEnvelope::queue).distinct().forEach(queues::ensure);
    List<Future<RecordMetadata>> sent = new ArrayList<>(envelopes.size());
    for (int i = 0; i < envelopes.size(); i++) {
      WorkEnvelope e = envelopes.get(i);
      table.queued(e, now.toEpochMilli());
      timeouts.track(e.workId(), e.deadline().toEpochMilli());
      sent.add(send(e, values.get(i)));
    }
    awaitAll(envelopes, sent);
  }

  private Future<RecordMetadata> send(WorkEnvelope e, byte[] value) {
    try {
      return publisher.send(e, value, (meta, error) -> {
        if (error == null) {
          table.located(e.workId(), meta.partition(), meta.offset());
          events.event(EventType.ADD_WORK).queue(e.queue()).work(e.workId()).attempt(e.attempt()).fire();
        }
      });
    } catch (RuntimeException error) {
      return java.util.concurrent.CompletableFuture.failedFuture(error);
    }
  }

  private void awaitAll(List<WorkEnvelope> envelopes, List<Future<RecordMetadata>> sent) {
    long end = System.nanoTime() + sendTimeout.toNanos();
    int failed = 0;
    GoWorkException first = null;
    for (int i = 0; i < sent.size(); i++) {
      Duration left = Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime()));
      try {
        WorkPublisher.await(sent.get(i), left, "publishing work " + envelopes.get(i).workId());
      } catch (GoWorkException e) {
        table.forget(envelopes.get(i).workId());
        failed++;
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      LOG.warn("{} of {} work items could not be published: {}", failed, sent.size(), first.getMessage());
      throw new GoWorkException(first.code(), failed + " of " + sent.size() + " work items were not added: "
          + first.getMessage(), first);
    }
  }
}
