package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.QueuePauses;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.TakeNextWork;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.Verdict;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code Get}, for workers that do not speak Kafka: authenticates the worker, takes the
 * next record of the queue (already acknowledged), and marks the work running for that worker, as
 * handed out over HTTP: no other worker's result, nor any later attempt's, is taken for it. A record
 * delivered again (a Kafka worker's lock ran out) is handed out as the next attempt, as a Kafka worker
 * counts it; one whose attempt another worker already runs is skipped.
 * Expired work taken on the way goes down its timeout path ({@code get_work_error}); up to
 * {@value #MAX_TAKES} records are tried before answering empty ({@code get_work_empty}). A paused
 * queue answers empty at once.
 *
 * <p>At close, {@link #stop} refuses new hand-outs (UNAVAILABLE: an HTTP worker gets 503 with
 * {@code Retry-After}) and waits for those under way, before the server stops committing its state:
 * a record taken (ACCEPTed) is then always started and its {@code running} state committed, never
 * left queued with no record for any worker to take. One still under way when that wait runs out is
 * abandoned: its caller may be gone by the time it ends (the HTTP service closes its connections next),
 * so whatever it takes from then on is given back, published again to its queue, instead of being
 * marked running for nobody; the decision and the abandonment are made under one lock.
 */
final class Handout {
  private static final int MAX_TAKES = 5;
  private static final Logger LOG = LoggerFactory.getLogger(Handout.class);
  private final java.util.concurrent.atomic.AtomicInteger underWay = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean stopping;
  /** When the first {@link #stop} stops waiting ({@link System#nanoTime}); guarded by {@code underWay}. */
  private long stopEnd;
  /** Set once a {@link #stop} has stopped waiting: what is taken from then on is given back; guarded by {@code underWay}. */
  private boolean abandoned;
  private final WorkPublisher publisher;
  private final WorkerRegistry workers;
  private final QueueTopics queues;
  private final TakeNextWork taker;
  private final WorkTable table;
  private final EventDispatcher events;
  private final Clock clock;
  private final QueuePauses pauses;
  private final RunningNotice notice;

  /**
   * Tells the owner of work another coordinator owns that an HTTP worker took it: a signed running
   * notice on the results topic, as a Kafka worker's, so that the owner marks it running and fires
   * {@code work_started}. Must not throw.
   */
  interface RunningNotice {
    void send(String workId, int attempt, String workerId, String sessionKey);
  }

  Handout(WorkerRegistry workers, QueueTopics queues, TakeNextWork taker, WorkTable table, EventDispatcher events,
      Clock clock, QueuePauses pauses, RunningNotice notice, WorkPublisher publisher) {
    this.publisher = publisher;
    this.pauses = pauses;
    this.notice = notice;
    this.workers = workers;
    this.queues = queues;
    this.taker = taker;
    this.table = table;
    this.events = events;
    this.clock = clock;
  }

  Optional<WorkEnvelope> get(String workerId, String sessionKey, String queue) {
    underWay.incrementAndGet();
    try {
      return handOut(workerId, sessionKey, queue);
    } finally {
      if (underWay.decrementAndGet() == 0 && stopping) {
        synchronized (underWay) {
          underWay.notifyAll();
        }
      }
    }
  }

  /**
   * Refuses hand-outs from now on, and waits up to {@code timeout} after the first call for those under
   * way to end (a later call waits for what is left of that, so two closes do not wait twice). Those
   * still under way then are abandoned: what they take is given back to its queue.
   *
   * @return false when some were still under way when the wait ended (logged once)
   */
  boolean stop(java.time.Duration timeout) {
    long end;
    synchronized (underWay) {
      if (!stopping) {
        stopEnd = System.nanoTime() + timeout.toNanos();
      }
      stopping = true;
      // A second call (the HTTP service's close, then the work server's) waits no longer than the first.
      end = stopEnd;
    }
    taker.stopTaking();
    synchronized (underWay) {
      boolean ended = awaitNone(end);
      if (!ended && !abandoned) {
        LOG.warn("hand-outs still under way after {}: they give their work back to its queue once their takes end",
            timeout);
        abandoned = true;
      }
      return ended;
    }
  }

  /**
   * Waits up to {@code timeout} for the hand-outs under way to end (after {@link #stop}: for the abandoned
   * ones to give their records back once their takes ended).
   *
   * @return false when some were still under way then
   */
  boolean awaitEnded(java.time.Duration timeout) {
    synchronized (underWay) {
      return awaitNone(System.nanoTime() + timeout.toNanos());
    }
  }

  /** Waits, holding the monitor of {@code underWay}, until none is under way or {@code end} ({@link System#nanoTime}). */
  private boolean awaitNone(long end) {
    for (long left = end - System.nanoTime(); underWay.get() > 0 && left > 0; left = end - System.nanoTime()) {
      try {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(underWay, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return underWay.get() == 0;
  }

  private static GoWorkException closing() {
    return ClosingException.closing();
  }

  /**
   * True when the record just taken may be handed out; false once {@link #stop} has abandoned the
   * hand-outs under way, and then it has been given back: published again to its queue, as the attempt
   * this delivery is, so another worker takes it (the work's state stays as it was). Unless the hand-out
   * would have skipped it ({@link #startable}): then it is dropped as a hand-out drops it.
   */
  private boolean mayHandOut(WorkEnvelope w) {
    synchronized (underWay) {
      if (!abandoned) {
        return true;
      }
    }
    if (!startable(w)) {
      // Skipped, as a hand-out skips it: given back, the record would run work that has ended (or runs).
      LOG.info("work {} was taken after the coordinator stopped waiting for hand-outs; not given back: it is {}",
          w.workId(), table.status(w.workId()).map(st -> st.state().wireName() + " (attempt " + st.attempts() + ")")
              .orElse("unknown"));
      return false;
    }
    try {
      publisher.send(w, publisher.encode(w), (meta, error) -> {
        if (error != null) {
          notGivenBack(w, error);
        }
      });
      LOG.info("work {} was taken after the coordinator stopped waiting for hand-outs: given back to queue '{}'",
          w.workId(), w.queue());
    } catch (RuntimeException e) {
      notGivenBack(w, e);
    }
    return false;
  }

  /**
   * Whether the hand-out would start this record's attempt rather than skip it, as far as this
   * coordinator's state says ({@link WorkTable#start} decides for its own work): its own work queued at
   * this attempt or a later one, or running an earlier one; another coordinator's work not ended
   * ({@link #endedAsMirrored}, checked before).
   */
  private boolean startable(WorkEnvelope w) {
    if (!table.knows(w.workId()) || !table.owns(w.workId())) {
      return true;
    }
    return table.status(w.workId()).map(s -> s.state() == WorkState.QUEUED && w.attempt() >= s.attempts()
        || s.state() == WorkState.RUNNING && w.attempt() > s.attempts()).orElse(true);
  }

  private static void notGivenBack(WorkEnvelope w, Exception why) {
    LOG.warn("work {} was taken as the coordinator closed and could not be given back to queue '{}': it stays "
        + "queued, with no record for a worker to take, until its deadline: {}", w.workId(), w.queue(), why.toString());
  }

  private Optional<WorkEnvelope> handOut(String workerId, String sessionKey, String queue) {
    if (stopping) {
      throw closing();
    }
    Topics.validateQueue(queue);
    if (!workers.authenticate(workerId, sessionKey)) {
      if (workers.mayReportFailure()) {
        String shown = workers.shownId(workerId);
        events.event(EventType.GET_WORK_ERROR).queue(queue).worker(shown).workerName(workers.name(shown))
            .error("unauthenticated").fire();
      }
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "unknown worker or invalid session");
    }
    String name = workers.name(workerId);
    if (pauses.isPaused(queue)) {
      events.event(EventType.GET_WORK_EMPTY).queue(queue).worker(workerId).workerName(name).fire();
      return Optional.empty();
    }
    try {
      queues.ensure(queue);
    } catch (GoWorkException e) {
      if (e.code() == ErrorCode.CONFLICT) { // a new queue past GOWORK_MAX_QUEUES: seen in the events too
        events.event(EventType.GET_WORK_ERROR).queue(queue).worker(workerId).workerName(name).error(e.getMessage())
            .fire();
      }
      throw e;
    }
    for (int i = 0; i < MAX_TAKES; i++) {
      if (stopping) {
        throw closing(); // nothing taken yet for this call
      }
      Optional<TakeNextWork.Taken> taken = taker.take(queue);
      if (taken.isEmpty()) {
        if (stopping) {
          throw closing(); // a record polled as the server began to close was released
        }
        break;
      }
      if (!taken.get().decoded().isOk()) {
        events.event(EventType.RECORD_REJECTED).queue(queue).error(taken.get().decoded().error().message()).fire();
        continue;
      }
      WorkEnvelope w = taken.get().work();
      long now = clock.millis();
      if (w.isExpired(clock.instant())) {
        table.expire(w.workId(), now);
        events.event(EventType.GET_WORK_ERROR).queue(queue).work(w.workId()).worker(workerId).workerName(name)
            .attempt(w.attempt()).error("work timed out").fire();
        continue;
      }
      if (endedAsMirrored(w)) {
        // Another coordinator owns it and has ended it (cancelled it, say) since the record was sent:
        // its Kafka workers skip it through <p>.control, which an HTTP worker does not read.
        continue;
      }
      if (!mayHandOut(w)) {
        throw closing();
      }
      boolean startedHere = false;
      if (table.knows(w.workId()) && table.owns(w.workId())) {
        Verdict v = table.start(w.workId(), w.attempt(), workerId, now);
        // NOT_OWNED: the partition moved since owns() said yes; the record is taken already, so it is
        // handed out as another coordinator's work is, not dropped.
        if (!v.accepted() && !WorkTable.NOT_OWNED.equals(v.rejection())) {
          if ("work timed out".equals(v.rejection())) {
            events.event(EventType.GET_WORK_ERROR).queue(queue).work(w.workId()).worker(workerId).workerName(name)
                .attempt(w.attempt()).error(v.rejection()).fire();
          }
          continue;
        }
        startedHere = v.accepted();
      }
      events.event(EventType.GET_WORK).queue(queue).work(w.workId()).worker(workerId).workerName(name)
          .attempt(w.attempt()).maxAttempts(w.maxAttempts()).fire();
      if (!startedHere) {
        // Another coordinator's work (or not mirrored yet): its owner marks it running and fires work_started.
        notice.send(w.workId(), w.attempt(), workerId, sessionKey);
      }
      return Optional.of(w);
    }
    events.event(EventType.GET_WORK_EMPTY).queue(queue).worker(workerId).workerName(name).fire();
    return Optional.empty();
  }

  /**
   * True when the item is another coordinator's and its mirrored state has ended at this record's attempt
   * or a later one (a requeued dead letter's record carries the next attempt, and is handed out).
   */
  private boolean endedAsMirrored(WorkEnvelope w) {
    return !table.owns(w.workId()) && table.status(w.workId())
        .map(s -> Lifecycle.isTerminal(s.state()) && w.attempt() <= s.attempts()).orElse(false);
  }
}
