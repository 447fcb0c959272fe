package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds work: checks every item, records it as queued (or scheduled, when added with a delay) and
 * tracks its deadline before sending (so no result can arrive for an id the table does not know), and
 * sends all of a batch without waiting: to its queue, or to {@code <p>.scheduled} with its release
 * planned for when it is due.
 * {@code add_work} fires when the broker acknowledges the record; an item whose send fails is
 * forgotten and reported in the error. An add is done once the items' state records are committed,
 * so added work survives a coordinator crash: {@link #addAll} waits for that, {@link #addAllAsync}
 * returns a future, so that one caller can keep many batches in flight.
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
  private final Journal journal;
  private final RetryPlan releases;

  /** @param releases where work added with a delay is planned for its first publication */
  Intake(QueueTopics queues, WorkPublisher publisher, WorkTable table, TimeoutTracker timeouts,
      EventDispatcher events, Clock clock, Duration sendTimeout, Journal journal, RetryPlan releases) {
    this.journal = journal;
    this.releases = releases;
    this.queues = queues;
    this.publisher = publisher;
    this.table = table;
    this.timeouts = timeouts;
    this.events = events;
    this.clock = clock;
    this.sendTimeout = sendTimeout;
  }

  /** Adds {@code batch} and waits until it is committed; see {@link #addAllAsync}. */
  void addAll(Collection<Work> batch) {
    try {
      addAllAsync(batch).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof GoWorkException g) {
        throw new GoWorkException(g.code(), g.getMessage(), g);
      }
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "adding work failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Checks every item and sends them all; the returned future completes once every item is
   * acknowledged by Kafka and its state committed, or fails with a {@link GoWorkException}
   * (UNAVAILABLE) naming how many items were not added (those are forgotten).
   *
   * @throws GoWorkException at once for a bad batch (null item, duplicate id, too large): nothing is sent
   */
  CompletableFuture<Void> addAllAsync(Collection<Work> batch) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // times on the wire in whole ms, as documented
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
      // Delayed work's timeout counts from when it is queued.
      WorkEnvelope e = new WorkEnvelope(w.id(), w.queue(), w.attempt(), w.maxAttempts(), w.timeoutSeconds(), w.data(),
          now, now.plusSeconds(w.delaySeconds() + w.timeoutSeconds()));
      try {
        values.add(publisher.encode(e));
      } catch (GoWorkException tooLarge) {
        throw batch.size() == 1 ? tooLarge
            : new GoWorkException(tooLarge.code(), "items[" + envelopes.size() + "]: " + tooLarge.getMessage());
      }
      envelopes.add(e);
    }
    envelopes.stream().map(WorkEnvelope::queue).distinct().forEach(queues::ensure);
    Sends sends = new Sends(envelopes.size());
    int i = 0;
    for (Work w : batch) {
      WorkEnvelope e = envelopes.get(i);
      long runAt = w.delaySeconds() > 0 ? now.plusSeconds(w.delaySeconds()).toEpochMilli() : -1;
      if (runAt < 0) {
        table.queued(e, now.toEpochMilli());
      } else {
        table.scheduled(e, runAt, now.toEpochMilli());
      }
      timeouts.track(e.workId(), e.deadline().toEpochMilli());
      send(e, values.get(i), i, sends, runAt);
      i++;
    }
    return sends.all.orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((ok, timeout) -> sends.settle(envelopes))
        .thenCompose(none -> journal.flush().orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(this::notCommitted));
  }

  /** Sends to the queue, or, when {@code runAt} is not -1, to {@code <p>.scheduled} and plans its release. */
  private void send(WorkEnvelope e, byte[] value, int index, Sends sends, long runAt) {
    org.apache.kafka.clients.producer.Callback done = (meta, error) -> {
      if (error == null) {
        journal.atomically(() -> {
          table.located(e.workId(), meta.partition(), meta.offset());
          return events.event(EventType.ADD_WORK).queue(e.queue()).work(e.workId()).attempt(e.attempt())
              .maxAttempts(e.maxAttempts()).fire();
        });
        if (runAt >= 0) {
          releases.scheduleRelease(e.workId(), runAt);
        }
      }
      sends.done(index, error);
    };
    try {
      if (runAt < 0) {
        publisher.send(e, value, done);
      } else {
        publisher.park(e, value, done);
      }
    } catch (RuntimeException error) {
      sends.done(index, error);
    }
  }

  private Void notCommitted(Throwable t) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof java.util.concurrent.TimeoutException) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the state was not committed to Kafka within " + sendTimeout,
          cause);
    }
    throw new GoWorkException(ErrorCode.UNAVAILABLE, Journal.notCommitted(cause), cause);
  }

  /** The outcome of each send of one batch; {@link #all} completes when every send answered. */
  private final class Sends {
    final CompletableFuture<Void> all = new CompletableFuture<>();
    private final Throwable[] errors;
    private final boolean[] answered;
    private int left;

    Sends(int n) {
      errors = new Throwable[n];
      answered = new boolean[n];
      left = n;
      if (n == 0) {
        all.complete(null);
      }
    }

    synchronized void done(int index, Throwable error) {
      if (answered[index]) {
        return;
      }
      answered[index] = true;
      errors[index] = error;
      if (--left == 0) {
        all.complete(null);
      }
    }

    /** Forgets the items that failed or got no answer; throws when there are any. */
    synchronized Void settle(List<WorkEnvelope> envelopes) {
      int failed = 0;
      String first = null;
      for (int i = 0; i < envelopes.size(); i++) {
        if (answered[i] && errors[i] == null) {
          continue;
        }
        String id = envelopes.get(i).workId();
        table.forget(id);
        failed++;
        if (first == null) {
          first = answered[i] ? "publishing work " + id + " failed: " + errors[i]
              : "publishing work " + id + " got no answer from Kafka within " + sendTimeout;
        }
        answered[i] = true;
        errors[i] = errors[i] == null ? new java.util.concurrent.TimeoutException() : errors[i];
      }
      if (failed > 0) {
        LOG.warn("{} of {} work items could not be published: {}", failed, envelopes.size(), first);
        throw new GoWorkException(ErrorCode.UNAVAILABLE, failed + " of " + envelopes.size()
            + " work items were not added: " + first);
      }
      return null;
    }
  }
}
