package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.auth.WorkerState;
import dev.gowork.coordinator.forward.OwnerRequest;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkRef;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import org.apache.kafka.clients.producer.RecordMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * An operator's cancel, requeue, dead-letter delete or revoke of an item (or worker) that another
 * coordinator owns: checked against the mirrored state, sent to the owner ({@link OwnerRequests}), and
 * answered once the owner's change shows in the mirrored state. Also applies, as the owner, the
 * requests that other coordinators send here. So with several coordinators any of them answers any
 * request, as a single one would, only a commit or two later.
 */
final class ForwardToOwner implements OwnerRequests.Owner {
  private static final long POLL_MILLIS = 10;
  private final OwnerRequests requests;
  private final WorkTable table;
  private final WorkerRegistry workers;
  private final TimeoutTracker timeouts;
  private final RetryPlan retries;
  private final Ownership ownership;
  private final Clock clock;
  private final Duration wait;

  ForwardToOwner(OwnerRequests requests, WorkTable table, WorkerRegistry workers,
      TimeoutTracker timeouts, RetryPlan retries, Ownership ownership, Clock clock, Duration wait) {
    this.requests = requests;
    this.table = table;
    this.workers = workers;
    this.timeouts = timeouts;
    this.retries = retries;
    this.ownership = ownership;
    this.clock = clock;
    this.wait = wait;
  }

  /** {@link WorkServer#cancel} of work another coordinator owns. */
  WorkStatus cancel(String workId, String reason) {
    WorkStatus before = known(workId);
    if (Lifecycle.isTerminal(before.state())) {
      throw notCancellable(workId, before.state());
    }
    Optional<WorkStatus> after = sendAndAwait(OwnerRequest.cancel(workId, reason),
        s -> s.isEmpty() || Lifecycle.isTerminal(s.get().state()));
    WorkStatus s = after.orElseThrow(() -> gone(workId));
    if (s.state() != WorkState.CANCELLED) {
      throw notCancellable(workId, s.state());
    }
    return s;
  }

  /** {@link WorkServer#requeue} of a dead letter another coordinator owns. */
  void requeue(String workId) {
    WorkStatus before = dead(workId);
    WorkStatus after = sendAndAwait(OwnerRequest.requeue(workId, before.attempts()),
        s -> s.isEmpty() || s.get().state() != WorkState.DEAD || s.get().attempts() != before.attempts())
        .orElseThrow(() -> gone(workId));
    if (after.state() == WorkState.DEAD) {
      throw diedAgain(workId, before, after);
    }
  }

  /** {@link WorkServer#deleteDead} of a dead letter another coordinator owns. */
  void deleteDead(String workId) {
    WorkStatus before = dead(workId);
    Optional<WorkStatus> after = sendAndAwait(OwnerRequest.deleteDead(workId, before.attempts()),
        s -> s.isEmpty() || s.get().state() != WorkState.DEAD || s.get().attempts() != before.attempts());
    if (after.isPresent()) {
      if (after.get().state() == WorkState.DEAD) {
        throw diedAgain(workId, before, after.get());
      }
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is " + after.get().state().wireName()
          + ", not dead");
    }
  }

  /** Another requeue got there first, and the item died again: the request was for the earlier death. */
  private static GoWorkException diedAgain(String workId, WorkStatus before, WorkStatus after) {
    return new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " was requeued by someone else and died "
        + "again meanwhile (attempt " + after.attempts() + ", not " + before.attempts() + "); look at it again");
  }

  /** {@link dev.gowork.coordinator.auth.Workers#revoke} of a worker another coordinator decides about. */
  void revoke(String workerId) {
    sent(requests.send(OwnerRequest.revoke(workerId)));
    if (!await(() -> workers.state(workerId).map(s -> s != WorkerState.ACTIVE).orElse(true))) {
      throw notApplied("worker " + workerId, workerId);
    }
  }

  /**
   * Tells the owner of every results partition that {@code workerId}'s revocation is committed: a
   * {@link OwnerRequest.Action#REVOKED} notice in each partition, which its owner does not pass before
   * its mirror shows the revocation (catching up with {@code <p>.sessions} if need be). Results are read
   * in partition order, so none written after these notices is judged with the session still open,
   * however far behind an owner's mirror was. Waits until Kafka has every notice.
   *
   * @throws GoWorkException UNAVAILABLE when Kafka did not take them all (the revocation itself stands;
   *     revoking again sends them again)
   */
  void announceRevocation(String workerId) {
    List<Future<RecordMetadata>> notices = new ArrayList<>();
    for (int p = 0; p < ownership.partitionCount(); p++) {
      notices.add(requests.send(OwnerRequest.revoked(workerId), p));
    }
    try {
      notices.forEach(this::sent);
    } catch (GoWorkException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "worker " + workerId + " is revoked, but telling every "
          + "coordinator at once failed (until each reads the revocation, a result signed with its session may "
          + "still be taken); revoke it again: " + e.getMessage(), e);
    }
  }

  /** The cancels of one {@link WorkServer#cancelQueue} for the items other coordinators own. */
  QueueCancels queueCancels(String reason) {
    return new QueueCancels(reason);
  }

  /**
   * Sends a queue cancel's items to their owners without waiting for them to be applied, and waits a
   * chunk at a time until Kafka has them. A send that Kafka refuses or does not acknowledge in time is
   * counted, not thrown, so that the caller still cancels and commits the items it owns, then says
   * what happened; after one failure the remaining items are not sent (Kafka is likely away, and each
   * send could wait as long again) but counted with the failed ones.
   */
  final class QueueCancels {
    private final String reason;
    private final List<Future<RecordMetadata>> inFlight = new ArrayList<>();
    private int sent;
    private int notSent;
    private Throwable failure;

    private QueueCancels(String reason) {
      this.reason = reason;
    }

    void send(String workId) {
      if (failure != null) {
        notSent++;
        return;
      }
      try {
        inFlight.add(requests.send(OwnerRequest.cancel(workId, reason)));
      } catch (RuntimeException e) { // a KafkaException, or the producer closed meanwhile
        failed(e);
      }
    }

    /** Waits, at most {@code wait} in all, until Kafka has acknowledged or refused what was sent so far. */
    void await() {
      long end = System.nanoTime() + wait.toNanos();
      for (Future<RecordMetadata> f : inFlight) {
        try {
          f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
          sent++;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed(e);
        } catch (ExecutionException e) {
          failed(e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
          failed(new TimeoutException("not acknowledged by Kafka within " + wait));
        }
      }
      inFlight.clear();
    }

    private void failed(Throwable e) {
      notSent++;
      if (failure == null) {
        failure = e;
      }
    }

    /** The cancels Kafka has acknowledged. */
    int sent() {
      return sent;
    }

    /** The cancels refused, not acknowledged in time, or not sent after a failure. */
    int notSent() {
      return notSent;
    }

    /** The first failure, or null. */
    Throwable failure() {
      return failure;
    }
  }

  /** True when this coordinator has an operator key: otherwise it forwards nothing. */
  boolean enabled() {
    return requests.enabled();
  }

  /** Waits until Kafka has a sent request. */
  void sent(Future<?> f) {
    try {
      f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while sending the request to the owner", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the request for the owner could not be written to Kafka: "
          + (e instanceof ExecutionException ? e.getCause() : "not acknowledged within " + wait), e);
    }
  }

  /**
   * A cancel or revoke names what the sender's table holds: work it may have added a moment ago, a
   * session it may have just opened, which this coordinator's mirror may not hold yet. A dead item was
   * made dead by its owner (this one, or one whose state it caught up with on taking the partition),
   * so an unknown one is gone, and refused at once rather than holding the partition.
   */
  @Override
  public boolean knows(OwnerRequest r) {
    return switch (r.action()) {
      case CANCEL -> table.knows(r.id());
      case REVOKE -> workers.state(r.id()).isPresent();
      // Held (its partition with it) until the mirror shows the committed revocation.
      case REVOKED -> workers.state(r.id()).map(s -> s != WorkerState.ACTIVE).orElse(false);
      case REQUEUE, DELETE_DEAD -> true;
    };
  }

  /**
   * Once caught up, a revocation notice for a worker this coordinator does not know at all is passed:
   * the revocation committed before its notice was sent, so the mirror has read it, and a worker it
   * no longer holds was forgotten (an hour after its session ended; its results are refused as of an
   * unknown session). Held instead, the notice stopped every results partition for the 30 s an
   * unknown item may wait.
   */
  @Override
  public boolean knowsCaughtUp(OwnerRequest r) {
    if (r.action() == OwnerRequest.Action.REVOKED) {
      return workers.state(r.id()).map(s -> s != WorkerState.ACTIVE).orElse(true);
    }
    return knows(r);
  }

  @Override
  public void apply(OwnerRequest r) {
    long now = clock.millis();
    switch (r.action()) {
      case CANCEL -> table.cancel(r.id(), r.reason(), now);
      case REQUEUE -> {
        WorkStatus s = table.status(r.id())
            .orElseThrow(() -> new GoWorkException(ErrorCode.NOT_FOUND, "no work with id " + r.id()));
        if (s.state() != WorkState.DEAD || s.attempts() != r.attempt()) {
          throw new GoWorkException(ErrorCode.CONFLICT, "work " + r.id() + " is " + s.state().wireName()
              + " at attempt " + s.attempts() + ", not dead at attempt " + r.attempt());
        }
        WorkRef ref = table.revive(r.id(), now);
        timeouts.track(r.id(), ref.deadline().toEpochMilli());
        // Published by the retry task, not on the results thread that applies this.
        retries.scheduleRepublish(r.id(), ref.attempt(), now);
      }
      case DELETE_DEAD -> {
        // Only the death the caller saw: a copy replayed after a requeue and a new death deletes nothing.
        int attempts = table.status(r.id()).map(WorkStatus::attempts).orElse(r.attempt());
        if (attempts != r.attempt()) {
          throw new GoWorkException(ErrorCode.CONFLICT, "work " + r.id() + " is at attempt " + attempts
              + ", not " + r.attempt());
        }
        table.discard(r.id());
      }
      case REVOKE -> workers.revokeWithoutWaiting(r.id());
      case REVOKED -> { } // knows() held it until the revocation was mirrored: nothing is left to do
    }
  }

  private WorkStatus known(String workId) {
    return table.status(workId)
        .orElseThrow(() -> new GoWorkException(ErrorCode.NOT_FOUND, "no work with id " + workId));
  }

  private WorkStatus dead(String workId) {
    WorkStatus s = known(workId);
    if (s.state() != WorkState.DEAD) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is " + s.state().wireName() + ", not dead");
    }
    return s;
  }

  /** Sends {@code r}, waits until the mirrored status satisfies {@code applied}, and returns it. */
  private Optional<WorkStatus> sendAndAwait(OwnerRequest r, Predicate<Optional<WorkStatus>> applied) {
    sent(requests.send(r));
    if (!await(() -> applied.test(table.status(r.id())))) {
      throw notApplied("work " + r.id(), r.id());
    }
    return table.status(r.id());
  }

  /** Polls {@code done} until true or {@code wait} has passed (wall time: this waits on other processes). */
  private boolean await(BooleanSupplier done) {
    long end = System.nanoTime() + wait.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - end >= 0) {
        return false;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the owner to apply the request");
      }
    }
    return true;
  }

  private GoWorkException notApplied(String what, String key) {
    return new GoWorkException(ErrorCode.UNAVAILABLE, what + " belongs to another coordinator (results partition "
        + ownership.partitionOf(key) + "); the request was sent to it, but not seen applied within " + wait
        + " (it is applied once that partition's owner reads it; the status shows when)");
  }

  private static GoWorkException gone(String workId) {
    return new GoWorkException(ErrorCode.NOT_FOUND, "no work with id " + workId + " (forgotten meanwhile)");
  }

  private static GoWorkException notCancellable(String workId, WorkState state) {
    return new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is already " + state.wireName()
        + "; only scheduled, queued, running or retrying work can be cancelled");
  }
}
