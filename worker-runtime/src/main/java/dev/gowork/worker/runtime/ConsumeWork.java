package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread of a replica: takes work from the queue's share group, runs it on the work
 * threads, publishes results, acknowledges.
 *
 * <p>Concurrency: every share consumer ({@link Lane}, one per slot) is created, polled, acknowledged
 * and closed on this thread only. Handler threads ({@link RunWork}) and producer callbacks touch only
 * a {@link Held}'s atomics and put {@link Completion}s on a queue that this thread drains. Between
 * rounds the thread waits: while a slot is free, up to 5 ms in the poll of one free slot (taking
 * turns; a completion wakes it; 50 ms once no record has come for a second, {@link PollPace}), so
 * records for that slot start as soon as they arrive; else on the
 * queue, until the next deadline or renewal. A record is ACCEPTed only after its result is durably
 * written, or with no result when its work was cancelled ({@link Cancellations}); RELEASEd when the
 * write fails or at shutdown; REJECTed when undecodable.
 *
 * <p>Failure modes: a handler that throws yields a {@code failed} result; one that overruns its
 * deadline is signalled, then interrupted after the cancel grace and reported {@code timed_out}
 * (its slot is freed even if the thread ignores the interrupt). A result finished while the session
 * is expired waits for its renewal ({@link PublishResults}), its record's lock renewed up to its
 * deadline ({@link #keepWaitingResults}). A long handler's lock is renewed at half the lock
 * duration, measured on {@link #nanoTime} (a lock is a duration: a step of the wall clock must not put
 * its renewal off; work deadlines stay on the {@link Clock}); the renewed record comes back from the
 * next poll and is recognised by {@link RecordKey}, not run again. If this thread or the JVM dies,
 * the broker releases the records. The {@code running} notices and their {@code durationMs}, the
 * cancel grace of cancelled work and the shutdown grace are timed on {@link #nanoTime} as well.
 *
 * <p>(A long class because lanes, held records, renewals and acknowledgements are this one thread's
 * state, kept unsynchronised by never leaving it; {@link Lane}, {@link RunWork} and {@link Held} hold
 * what can live apart.)
 */
final class ConsumeWork implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeWork.class);
  private static final Duration IDLE_WAIT = Duration.ofMillis(100);
  /** After the shutdown grace, how long the last result writes may take before the lanes close. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** A lane's last commit and close together; lanes close at the same time ({@link Lane#closeInBackground}). */
  static final Duration LANE_CLOSE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration POLL_FAILURE_PAUSE = Duration.ofSeconds(1);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
  /** How long a slot that tried to join the share group again goes unrefused before it counts as in. */
  private static final Duration REFUSAL_CONFIRM = Duration.ofSeconds(10);

  private final String workTopic;
  /** The queue's share group, for the words of a log line. */
  private final String group;
  private final int slots;
  private final IntFunction<Lane> openLane;
  private final WorkHandler handler;
  private final ExecutorService workThreads;
  private final Supplier<Session> session;
  private final Clock clock;
  /**
   * The monotonic time source ({@link System#nanoTime}, shared with the lanes and work threads) that
   * durations are measured on: locks, how long a handler has run, the notices' intervals, the graces.
   */
  private final LongSupplier nanoTime;
  private final Stats stats;
  private final Duration cancelGrace;
  private final Duration lockDuration;
  private final Duration shutdownGrace;
  private final Duration runningNotice;
  private final Cancellations cancellations;
  /** True while the coordinator has this queue paused: lanes take no new work (running work finishes). */
  private final java.util.function.BooleanSupplier queuePaused;
  private final WireCodec codec = WireCodec.defaults();
  private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final PublishResults publisher;
  private final List<Lane> lanes = new ArrayList<>();
  /** Threads closing lanes' consumers; the loop waits for them before it stops. */
  private final List<Thread> closingLanes = new ArrayList<>();
  /**
   * Records whose outcome this replica decided (result written, or cancelled), most recent last: a
   * later copy of one is ACCEPTed without running it again. A share consumer keeps fetching in the
   * background after each poll until it acquires something, so a lane busy with a long handler (or a
   * stalled poll thread) buffers records, even its own held record re-acquired after a lock ran out,
   * and lets their locks run out in its buffer, where the broker hands them out again, to the same
   * consumer as well: after the long handler, the lane polled copy after copy of one record (deliveries
   * 1, 2, 3, ...) and ran each ({@code LongHandlerPrefetchTest}).
   */
  private final java.util.Map<RecordKey, Boolean> decided = new java.util.LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<RecordKey, Boolean> eldest) {
      return size() > DECIDED_REMEMBERED;
    }
  };
  private static final int DECIDED_REMEMBERED = 10_000;
  /** The lane whose poll the loop waits in, or null (set by the poll thread, read by any). */
  private volatile Lane waitingIn;
  /** How long a round waits in a free slot's poll: short while records come, longer once quiet. */
  private final PollPace pace;
  /** When a poll last brought records back, on {@link #nanoTime} (read by any thread, for tests). */
  private volatile long lastRecordsNanos;
  /** When the loop last began a round, on {@link #nanoTime} (read by any thread). */
  private volatile long lastTurnNanos;
  private int nextWaitLane;
  /** Lanes closed while the queue is paused, by index, to be reopened when it is resumed. */
  private final boolean[] parked;
  /** The thread closing each parked lane's consumer, by index, until it has ended. */
  private final Thread[] parking;
  /**
   * How many lanes are closed for a pause or an expired session, their consumers' closes ended (read by
   * tests on any thread: a consumer still closing may fetch, and release when closed, a record sent meanwhile).
   */
  private volatile int parkedLanes;
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  final CompletableFuture<Void> stopped = new CompletableFuture<>();

  private volatile boolean drainAsked;
  private volatile boolean crashAsked;
  private boolean draining;
  /** When the shutdown grace ends, on {@link #nanoTime} (a step of the wall clock must not shorten it). */
  private long drainDeadlineNanos;
  /** True once the shutdown grace is over (what was undone is released). */
  private boolean graceOver;
  /** Once the grace is over, until when the last result writes are waited for, on {@link #nanoTime}. */
  private long giveUpAtNanos;
  private boolean sessionWarned;
  /** Slots the share group refused (it was full), and when each tries to join again. */
  private final RefusedSlots refused;
  /** {@link RefusedSlots#count()}, for the health probe and the meters on any thread. */
  private volatile int refusedSlots;

  ConsumeWork(WorkerSettings settings, String workTopic, String group, String resultsTopic, IntFunction<Lane> openLane,
      Producer<String, byte[]> producer, WorkHandler handler, ExecutorService workThreads, Supplier<Session> session,
      Clock clock, LongSupplier nanoTime, Stats stats, Cancellations cancellations,
      java.util.function.BooleanSupplier queuePaused, Duration rejoinEvery) {
    this.queuePaused = queuePaused;
    this.workTopic = workTopic;
    this.group = group;
    this.slots = settings.concurrency();
    this.openLane = openLane;
    this.handler = handler;
    this.workThreads = workThreads;
    this.session = session;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.stats = stats;
    this.cancelGrace = settings.cancelGrace();
    this.lockDuration = settings.lockDuration();
    this.shutdownGrace = settings.shutdownGrace();
    this.runningNotice = settings.runningNotice();
    this.cancellations = cancellations;
    this.publisher = new PublishResults(producer, resultsTopic, codec, session, clock, this::complete);
    this.lastTurnNanos = nanoTime.getAsLong();
    this.pace = new PollPace(lastTurnNanos);
    this.parked = new boolean[slots];
    this.parking = new Thread[slots];
    this.refused = new RefusedSlots(slots, rejoinEvery, REFUSAL_CONFIRM);
  }

  /** How many slots are out of the share group because it was full (any thread). */
  int refusedSlots() {
    return refusedSlots;
  }

  /**
   * How long ago the loop last began a round (it begins one at least every 100 ms while it runs), on
   * {@link #nanoTime}: a step of the wall clock must not make the loop look stuck (any thread).
   */
  Duration sinceLastTurn() {
    return Duration.ofNanos(nanoTime.getAsLong() - lastTurnNanos);
  }

  /** Asks the loop to stop taking work and drain within the shutdown grace. */
  void drain() {
    drainAsked = true;
    complete(new Completion.Wake());
  }

  /** Asks the loop to close its consumers at once without acknowledging anything (tests). */
  void crash() {
    crashAsked = true;
    complete(new Completion.Wake());
  }

  /** Queues {@code c} for the poll thread and wakes it if it waits in a lane's poll (any thread). */
  private void complete(Completion c) {
    completions.add(c);
    Lane waiting = waitingIn;
    if (waiting != null) {
      waiting.wakeup();
    }
  }

  @Override
  public void run() {
    try {
      for (int i = 0; i < slots; i++) {
        Lane lane = openLane.apply(i);
        lanes.add(lane);
        lane.subscribe(workTopic);
      }
    } catch (RuntimeException e) {
      lanes.forEach(l -> l.close(Duration.ZERO));
      ready.completeExceptionally(e);
      stopped.complete(null);
      return;
    }
    ready.complete(null);
    try {
      loop();
      stopped.complete(null);
    } catch (RuntimeException | Error e) {
      LOG.error("the consume loop failed; closing its consumers", e);
      lanes.forEach(l -> l.close(Duration.ZERO));
      stopped.completeExceptionally(e);
    }
  }

  private void loop() {
    while (true) {
      if (crashAsked) {
        lanes.forEach(l -> l.close(Duration.ZERO));
        return;
      }
      Instant now = clock.instant();
      long nowNanos = nanoTime.getAsLong();
      lastTurnNanos = nowNanos;
      Completion c;
      while ((c = completions.poll()) != null) {
        handle(c);
      }
      if (drainAsked && !draining) {
        startDraining(nowNanos);
      }
      boolean paused = queuePaused.getAsBoolean();
      boolean usable = sessionUsable(now);
      if (!draining) {
        parkOrReopen(paused || !usable, paused ? "the queue is paused" : "the session is expired");
      }
      boolean accepting = !draining && usable && !paused;
      rejoinRefused(nowNanos, accepting);
      publisher.publishWaiting();
      for (Lane lane : lanes) {
        pollLane(lane, accepting, now);
      }
      enforceDeadlines(now, nowNanos);
      stopCancelled(nowNanos);
      announceRunning(nowNanos);
      renewLocks(now, nowNanos);
      if (draining && drained(nowNanos)) {
        if (publisher.waitingForSession() > 0) {
          LOG.warn("{} results waited for a renewed session and were not written; their work goes back to the group",
              publisher.waitingForSession());
        }
        lanes.forEach(this::closeLane);
        awaitLanesClosed();
        return;
      }
      for (Lane lane : lanes) {
        lane.flush(accepting);
      }
      Duration wait = nextWait(now, nowNanos, accepting, pace.tick(nowNanos));
      // With a free slot the wait is at most the pace's tick: spent in that slot's poll.
      Lane idle = accepting ? idleLane() : null;
      if (idle != null) {
        waitInPoll(idle, wait);
      } else {
        waitForCompletion(wait);
      }
    }
  }

  /**
   * While the queue is paused, or the session expired (no work may be taken until it is renewed),
   * closes each lane that holds nothing (its acknowledgements sent first); reopens them once the
   * queue is resumed and the session usable. A share consumer fetches ahead of its next poll, so a
   * lane left open but unpolled would acquire the queue's new work and keep it buffered past its lock: the
   * broker would count a delivery each time and hand it to the next such lane, and every lane would
   * run its stale copy at the resume (and the consumer would leave its group after
   * {@code max.poll.interval.ms}). Closing releases what a lane had acquired; a reopened lane joins
   * the group again (about a heartbeat interval). The lanes of slots out of a full share group are
   * {@link #rejoinRefused}'s to close and reopen.
   */
  private void parkOrReopen(boolean park, String why) {
    for (int i = 0; i < lanes.size(); i++) {
      Lane lane = lanes.get(i);
      if (park && !parked[i] && lane.state() == Lane.State.IDLE && !lane.hasUnfinished() && !lane.isClosed()
          && refused.state(i) == RefusedSlots.State.IN) {
        parking[i] = closeLane(lane);
        parked[i] = true;
        LOG.info("lane {}: closed while {}", lane.index, why);
      } else if (!park && parked[i]) {
        Lane reopened;
        try {
          reopened = openLane.apply(i);
          reopened.subscribe(workTopic);
        } catch (RuntimeException e) {
          LOG.warn("lane {}: could not reopen; trying again: {}", i, e.toString());
          continue;
        }
        lanes.set(i, reopened);
        parked[i] = false;
        parking[i] = null;
        LOG.info("lane {}: reopened", i);
      }
    }
    int closed = 0;
    for (int i = 0; i < parked.length; i++) {
      if (parked[i] && (parking[i] == null || !parking[i].isAlive())) {
        parking[i] = null;
        closed++;
      }
    }
    parkedLanes = closed;
  }

  /**
   * The share group refused {@code lane}: it was full. Its consumer is dead (Kafka gives up on a member
   * it refuses), so the lane is closed, once it holds nothing, and joins again later with a new one
   * ({@link #rejoinRefused}); the other slots go on. One warning when the first slot is refused, not
   * one per slot or attempt.
   */
  private void refuse(Lane lane, GroupMaxSizeReachedException e) {
    boolean news = refused.refused(lane.index, nanoTime.getAsLong());
    refusedSlots = refused.count();
    if (!lane.hasUnfinished()) {
      if (waitingIn == lane) {
        waitingIn = null;
      }
      closeLane(lane);
    }
    if (news) {
      LOG.warn("lane {}: the share group {} is full ({}); {} of {} slots take work, the rest try to join again every "
          + "{} s. All replicas of a queue count against the brokers' group.share.max.size (200 members by default), "
          + "each slot a member: lower GOWORK_CONCURRENCY or the number of replicas, or raise that broker setting",
          lane.index, group, e.getMessage(), slots - refusedSlots, slots, refused.retryEvery().toSeconds());
    } else {
      LOG.debug("lane {}: the share group {} is full; {} of {} slots take work", lane.index, group,
          slots - refusedSlots, slots);
    }
  }

  /**
   * Closes refused lanes once they hold nothing, counts in those that tried again unrefused, and lets one
   * refused lane try to join again when it is due, while the loop takes work. A lane trying again while
   * the loop takes no work (paused, session expired, draining) is closed as a parked one would be, and
   * tries again once it may: the group has not answered it, so time alone must not count it in.
   */
  private void rejoinRefused(long nowNanos, boolean accepting) {
    if (refused.count() == 0) {
      return;
    }
    for (int i = 0; i < lanes.size(); i++) {
      Lane lane = lanes.get(i);
      RefusedSlots.State state = refused.state(i);
      if (lane.isClosed() || lane.hasUnfinished() || state == RefusedSlots.State.IN) {
        continue;
      }
      if (state == RefusedSlots.State.REFUSED) {
        closeLane(lane);
      } else if (!accepting) {
        closeLane(lane);
        refused.unanswered(i, nowNanos);
        LOG.debug("lane {}: closed while trying to join the share group {} again; it tries again later", i, group);
      }
    }
    refused.confirm(nowNanos).forEach(this::joined);
    int due = accepting ? refused.dueForRetry(nowNanos) : -1;
    if (due >= 0 && !parked[due] && lanes.get(due).isClosed()) {
      try {
        Lane lane = openLane.apply(due);
        lane.subscribe(workTopic);
        lanes.set(due, lane);
        refused.retrying(due, nowNanos);
        LOG.debug("lane {}: trying to join the share group {} again", due, group);
      } catch (RuntimeException e) {
        refused.refused(due, nowNanos);
        LOG.warn("lane {}: could not open a consumer to join the share group again: {}", due, e.toString());
      }
    }
    refusedSlots = refused.count();
  }

  /** A refused slot is in the share group now. */
  private void joined(int slot) {
    refusedSlots = refused.count();
    if (refusedSlots == 0) {
      LOG.info("lane {}: joined the share group {}; all {} slots take work again", slot, group, slots);
    } else {
      LOG.info("lane {}: joined the share group {}; {} of {} slots take work", slot, group, slots - refusedSlots, slots);
    }
  }

  /** When a poll last brought records back, on {@link #nanoTime} (tests). */
  long lastRecordsNanos() {
    return lastRecordsNanos;
  }

  /** Lanes closed for a pause or an expired session (tests). */
  int parkedLanes() {
    return parkedLanes;
  }

  /** An idle lane that may take work, taking turns, or null. */
  private Lane idleLane() {
    for (int i = 0; i < lanes.size(); i++) {
      Lane lane = lanes.get((nextWaitLane + i) % lanes.size());
      if (lane.state() == Lane.State.IDLE && !lane.hasUnfinished() && !lane.isClosed() && !lane.isPaused()) {
        nextWaitLane = (lane.index + 1) % lanes.size();
        return lane;
      }
    }
    return null;
  }

  /**
   * Waits in {@code lane}'s poll instead of on the completions queue: records that arrive for it
   * start at once instead of at the next tick, and a completion wakes the poll.
   */
  private void waitInPoll(Lane lane, Duration wait) {
    waitingIn = lane;
    try {
      if (completions.isEmpty()) {
        pollLane(lane, true, clock.instant(), wait);
      }
    } finally {
      waitingIn = null;
    }
  }

  private void pollLane(Lane lane, boolean accepting, Instant now) {
    pollLane(lane, accepting, now, Duration.ZERO);
  }

  /** Polls {@code lane} if it may, and runs what it holds once a lock check has ended ({@link #runChecked}). */
  private void pollLane(Lane lane, boolean accepting, Instant now, Duration wait) {
    takeFrom(lane, accepting, now, wait);
    runChecked(lane);
  }

  private void takeFrom(Lane lane, boolean accepting, Instant now, Duration wait) {
    if (lane.state() == Lane.State.RENEWING && !lane.isClosed() && !lane.renewalsConfirmed()) {
      // Polled now, the consumer would fetch work this busy lane cannot run (Lane#renewalsConfirmed).
      lane.checkRenewal(lockOf(lane));
      return;
    }
    boolean renewing = lane.state() == Lane.State.RENEWING;
    if (lane.isClosed() || lane.isPaused() || (!renewing && (!accepting || lane.hasUnfinished()))) {
      return;
    }
    ConsumerRecords<String, byte[]> records;
    try {
      records = lane.poll(wait);
      if (!wait.isZero()) {
        now = clock.instant();
      }
    } catch (GroupMaxSizeReachedException e) {
      refuse(lane, e);
      return;
    } catch (KafkaException | IllegalStateException e) {
      LOG.warn("lane {}: poll failed, pausing it for {} s: {}", lane.index, POLL_FAILURE_PAUSE.toSeconds(),
          e.toString());
      lane.pause(POLL_FAILURE_PAUSE);
      // Renewed records cannot come back from a poll that fails: past the patience their locks are
      // presumed lost, or a lane whose polls keep failing would stay RENEWING for good.
      lane.checkRenewal(lockOf(lane));
      return;
    }
    if (!records.isEmpty()) {
      long nowNanos = nanoTime.getAsLong();
      pace.recordsCame(nowNanos);
      lastRecordsNanos = pace.lastRecordsNanos();
      if (refused.state(lane.index) != RefusedSlots.State.IN && refused.tookWork(lane.index)) {
        joined(lane.index);
      }
    }
    List<Held> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> r : records) {
      if (renewing && lane.returned(r)) {
        continue;
      }
      if (decided.containsKey(RecordKey.of(r))) {
        // A copy of a record whose outcome was decided here already (a copy that waited in the
        // consumer's buffer past its lock, or a delivery after our ACCEPT came too late): ACCEPT it, unrun.
        LOG.info("lane {}: accepting {} (delivery {}) without running it: its outcome was decided here already",
            lane.index, RecordKey.of(r), r.deliveryCount().map(String::valueOf).orElse("?"));
        lane.acknowledge(r, AcknowledgeType.ACCEPT);
        stats.duplicate();
        continue;
      }
      if (accepting && !renewing) {
        admit(lane, r, now, batch);
      } else {
        LOG.warn("lane {}: releasing {}, acquired without a free slot", lane.index, RecordKey.of(r));
        lane.acknowledge(r, AcknowledgeType.RELEASE);
        stats.released();
      }
    }
    if (!batch.isEmpty()) {
      lane.hold(batch);
      if (lane.mayHaveWaited().compareTo(lockOf(lane).dividedBy(2)) >= 0) {
        lane.check(batch, lockOf(lane));
      } else {
        submit(batch);
      }
    }
    lane.checkRenewal(lockOf(lane));
  }

  /**
   * Runs the records of {@code lane} whose lock a RENEW has shown to be ours ({@link Lane#check}), and
   * drops those whose lock had run out in the consumer's buffer: the broker has handed them out again,
   * and run from the stale copy, work ran twice (its ACCEPT refused, the next delivery ran too, here
   * or on another replica).
   */
  private void runChecked(Lane lane) {
    if (lane.isClosed()) {
      return;
    }
    lane.sendCheck(lockOf(lane));
    List<Held> ours = new ArrayList<>();
    for (Held h : lane.checked()) {
      if (!h.lockLost) {
        ours.add(h);
      } else if (h.releaseIfUnstarted()) {
        LOG.info("lane {}: dropped {} unrun: it waited in the consumer's buffer past its lock, and the broker has "
            + "handed it out again", lane.index, h);
        release(h);
      }
    }
    if (!ours.isEmpty()) {
      submit(ours);
    }
  }

  /** Decodes one acquired record: into {@code batch} to run, or rejected, or answered as timed out. */
  private void admit(Lane lane, ConsumerRecord<String, byte[]> r, Instant now, List<Held> batch) {
    int deliveries = r.deliveryCount().map(Short::intValue).orElse(1);
    Decoded<WorkEnvelope> decoded = codec.decodeWork(r.value());
    if (!decoded.isOk()) {
      LOG.warn("rejecting undecodable record {} (key {}, delivery {}): {}", RecordKey.of(r), r.key(), deliveries,
          decoded.error().message());
      lane.acknowledge(r, AcknowledgeType.REJECT);
      stats.rejected();
      return;
    }
    WorkEnvelope work = decoded.value();
    if (cancellations.contains(work.workId())) {
      LOG.info("not running work {}: it was cancelled", work.workId());
      lane.acknowledge(r, AcknowledgeType.ACCEPT);
      stats.cancelled();
      return;
    }
    int attempt = (int) Math.min(Integer.MAX_VALUE, (long) work.attempt() + Math.max(0, deliveries - 1));
    Held held = new Held(lane, r, work, attempt, new RunContext(work, attempt, clock), nanoTime.getAsLong());
    if (work.isExpired(now)) {
      lane.holdWriting(held);
      held.settle(Held.Fate.PUBLISH);
      publisher.publish(held, ResultStatus.TIMED_OUT, null,
          "the deadline " + work.deadline() + " passed before the work started", 0);
      return;
    }
    batch.add(held);
  }

  /** Runs {@code batch} on one work thread; hands it back to the group if no thread can take it. */
  private void submit(List<Held> batch) {
    try {
      workThreads.execute(new RunBatch(batch, handler, publisher, clock, nanoTime, stats, cancellations));
    } catch (RejectedExecutionException e) {
      batch.forEach(this::releaseUnstarted);
    }
  }

  /** Releases {@code h} if it has not started (nor been settled); true when it was. */
  private boolean releaseUnstarted(Held h) {
    if (h.releaseIfUnstarted()) {
      release(h);
      return true;
    }
    return false;
  }

  private void handle(Completion c) {
    if (c instanceof Completion.HandlerDone d) {
      d.held().lane.handlerDone(d.held());
    } else if (c instanceof Completion.Dropped d) {
      drop(d.held());
    } else if (c instanceof Completion.Published p) {
      Lane lane = p.held().lane;
      if (p.error() == null) {
        stats.written(p.status());
        decided.put(p.held().key, Boolean.TRUE);
        lane.finish(p.held(), AcknowledgeType.ACCEPT);
      } else {
        LOG.error("could not write the result of {}: {}; releasing it for another attempt", p.held(),
            p.error().toString());
        release(p.held());
      }
    }
  }

  private void release(Held held) {
    if (held.lane.finish(held, AcknowledgeType.RELEASE) || held.deferredAck == AcknowledgeType.RELEASE) {
      stats.released();
    }
  }

  private void enforceDeadlines(Instant now, long nowNanos) {
    for (Lane lane : lanes) {
      Held h = lane.held();
      if (h == null || h.isSettled() || h.run == null) {
        continue;
      }
      switch (DeadlinePolicy.decide(h.work.deadline(), cancelGrace, now, sinceDeadlineSignal(h, nowNanos))) {
        case SIGNAL -> {
          h.cancelSignalled = true;
          h.cancelSignalledNanos = nowNanos;
          h.context.cancel();
        }
        case INTERRUPT -> {
          if (h.settle(Held.Fate.PUBLISH)) {
            interrupt(h);
            LOG.warn("{} was still running {} ms after it was signalled at its deadline; interrupted it", h,
                cancelGrace.toMillis());
            publisher.publish(h, ResultStatus.TIMED_OUT, null, "the handler did not stop by the deadline "
                + h.work.deadline(), h.ranFor(nowNanos).toMillis());
          }
        }
        case NONE -> { }
      }
    }
  }

  /** How long ago {@code h}'s handler was signalled at its deadline, on {@link #nanoTime}; null while it was not. */
  private static Duration sinceDeadlineSignal(Held h, long nowNanos) {
    return h.cancelSignalled ? Duration.ofNanos(nowNanos - h.cancelSignalledNanos) : null;
  }

  /**
   * Stops the handlers of work the coordinator cancelled: signals each through its context, then,
   * if it still runs after the cancel grace (timed on {@link #nanoTime}), interrupts it. Either way no
   * result is written and the record is ACCEPTed (the work is decided).
   */
  private void stopCancelled(long nowNanos) {
    for (Lane lane : lanes) {
      Held h = lane.held();
      if (h == null || h.isSettled() || h.run == null || !h.started()
          || !cancellations.contains(h.work.workId())) {
        continue;
      }
      if (!h.cancelled) {
        h.cancelled = true;
        h.cancelledNanos = nowNanos;
        h.context.cancel();
        LOG.info("{} was cancelled; signalled its handler to stop", h);
      } else if (untilCancelGraceEnds(h, nowNanos).compareTo(Duration.ZERO) <= 0 && h.settle(Held.Fate.DROP)) {
        interrupt(h);
        LOG.warn("{} was cancelled and still running {} ms later; interrupted it", h, cancelGrace.toMillis());
        drop(h);
      }
    }
  }

  /** How long after {@code nowNanos} the cancel grace of {@code h} (cancelled) ends. */
  private Duration untilCancelGraceEnds(Held h, long nowNanos) {
    return cancelGrace.minusNanos(nowNanos - h.cancelledNanos);
  }

  /** Ends {@code h} with no result: its work was cancelled. */
  private void drop(Held h) {
    decided.put(h.key, Boolean.TRUE);
    if (h.lane.finish(h, AcknowledgeType.ACCEPT) || h.deferredAck == AcknowledgeType.ACCEPT) {
      stats.cancelled();
    }
  }

  /**
   * Tells the coordinator about each handler that has run for {@link #runningNotice} (once per attempt),
   * and sends its latest progress report, at most once per {@link #PROGRESS_INTERVAL}; both timed, and
   * the notice's running time measured, on {@link #nanoTime} ({@code nowNanos}).
   */
  private void announceRunning(long nowNanos) {
    for (Lane lane : lanes) {
      Held h = lane.held();
      if (h == null || !h.started() || h.isSettled() || h.cancelled) {
        continue;
      }
      Duration ran = h.ranFor(nowNanos);
      boolean first = !h.announced && ran.compareTo(runningNotice) >= 0;
      boolean progress = h.context.hasProgress()
          && (!h.announced || untilProgress(h, nowNanos).compareTo(Duration.ZERO) <= 0);
      if (first || progress) {
        h.announced = true;
        h.announcedNanos = nowNanos;
        publisher.announce(h, ran.toMillis(), h.context.takeProgress());
      }
    }
  }

  /** How long after {@code nowNanos} the next progress report of {@code h} (announced) may be sent. */
  private static Duration untilProgress(Held h, long nowNanos) {
    return PROGRESS_INTERVAL.minusNanos(nowNanos - h.announcedNanos);
  }

  /**
   * Interrupts the handler of {@code h} (settled by this thread); the rest of its batch moves to a
   * new work thread, since the interrupted one may never come back.
   */
  private void interrupt(Held h) {
    RunBatch run = h.run;
    run.interrupt(h);
    if (run.abandonAfter(h)) {
      List<Held> rest = new ArrayList<>();
      boolean after = false;
      for (Held q : h.lane.queued()) {
        if (after && !q.isSettled()) {
          rest.add(q);
        }
        after |= q == h;
      }
      if (!rest.isEmpty()) {
        submit(rest);
      }
    }
  }

  /**
   * Keeps the lock of a long handler: at half the lock, the records still waiting behind it are
   * handed back (their locks run out as well), and once it is the only one left in its queue, its
   * lock is renewed, and with it those of the batch's results still being written. A lane with
   * nothing running renews its results still being written on their own ({@link #keepWaitingResults}).
   */
  private void renewLocks(Instant now, long nowNanos) {
    for (Lane lane : lanes) {
      Held h = lane.held();
      if (h == null && lane.state() == Lane.State.IDLE && !lane.isClosed()) {
        keepWaitingResults(lane, now, nowNanos);
        continue;
      }
      // A record whose lock is being checked (not yet handed to a work thread) is not renewed here.
      if (lane.state() != Lane.State.BUSY || h == null || h.lockLost || h.isSettled() || h.run == null
          || !h.halfLockPassed(lockOf(lane), nowNanos)) {
        continue;
      }
      for (Held q : lane.queued()) {
        if (q != h && releaseUnstarted(q)) {
          LOG.info("lane {}: released {}, waiting behind a long handler", lane.index, q);
        }
      }
      if (lane.queued().size() == 1) {
        lane.renew(); // with the results of its batch still being written (or waiting for the session)
      }
    }
  }

  /**
   * Renews the locks of a lane's results still being written (or waiting for a renewed session) while
   * nothing of the lane runs, together, up to the last of their work's deadlines
   * ({@link Lane#dueForRenewal}). Without it, a result that waited for the session longer than the lock lost its record to another replica,
   * which ran the work again although this one had finished it. Also while draining: the shutdown
   * grace bounds it, and the close hands back what is still unacknowledged.
   */
  private void keepWaitingResults(Lane lane, Instant now, long nowNanos) {
    List<Held> due = Lane.dueForRenewal(lane.writing(), lockOf(lane), now, nowNanos);
    if (!due.isEmpty()) {
      LOG.debug("lane {}: renewing the locks of {}, whose results are not written yet", lane.index, due);
      lane.renewWriting(due);
    }
  }

  private Duration lockOf(Lane lane) {
    return lane.brokerLockMs().filter(ms -> ms > 0).map(Duration::ofMillis).orElse(lockDuration);
  }

  private void startDraining(long nowNanos) {
    draining = true;
    drainDeadlineNanos = nowNanos + shutdownGrace.toNanos();
    LOG.info("draining: taking no new work; {} running, up to {} s to finish", stats.snapshot().inFlight(),
        shutdownGrace.toSeconds());
    for (Lane lane : lanes) {
      lane.queued().forEach(this::releaseUnstarted);
    }
  }

  /** True once nothing is held, or the grace and a last wait for result writes are over. */
  private boolean drained(long nowNanos) {
    boolean allClosed = true;
    for (Lane lane : lanes) {
      if (!lane.hasUnfinished()) {
        closeLane(lane);
      }
      allClosed &= lane.isClosed();
    }
    if (allClosed) {
      return true;
    }
    if (!graceOver && nowNanos - drainDeadlineNanos >= 0) {
      graceOver = true;
      giveUpAtNanos = nowNanos + CLOSE_TIMEOUT.toNanos();
      for (Lane lane : lanes) {
        for (Held h : lane.queued()) {
          if (h.settle(Held.Fate.RELEASE)) {
            h.context.cancel();
            if (h.run != null) {
              h.run.interrupt(h);
            }
            LOG.info("shutdown grace over: released {} undone", h);
            release(h);
          }
        }
      }
    }
    return graceOver && nowNanos - giveUpAtNanos >= 0;
  }

  /**
   * Commits and closes {@code lane} on a thread of its own, so that this thread does not wait for the broker.
   *
   * @return that thread, or null when the lane was closed already
   */
  private Thread closeLane(Lane lane) {
    Thread t = lane.closeInBackground(LANE_CLOSE_TIMEOUT);
    if (t != null) {
      closingLanes.removeIf(c -> !c.isAlive());
      closingLanes.add(t);
    }
    return t;
  }

  /**
   * Waits for the lanes' closes, which end within {@link #LANE_CLOSE_TIMEOUT} of their start, so that the
   * consumers are closed when this thread ends; one that overruns is logged and left behind (a daemon).
   */
  private void awaitLanesClosed() {
    long end = System.nanoTime() + LANE_CLOSE_TIMEOUT.plusMillis(500).toNanos();
    for (Thread t : closingLanes) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) {
        LOG.warn("{} has not closed its consumer within {} s; stopping without waiting for it", t.getName(),
            LANE_CLOSE_TIMEOUT.toSeconds());
      }
    }
  }

  private boolean sessionUsable(Instant now) {
    Session s = session.get();
    boolean valid = s.isValid(now);
    if (!valid && !sessionWarned) {
      LOG.warn("the session of {} expired at {}; taking no work until re-authenticated", s.workerId(), s.expiresAt());
    }
    sessionWarned = !valid;
    return valid;
  }

  private Duration nextWait(Instant now, long nowNanos, boolean accepting, Duration tick) {
    Instant next = now.plus(IDLE_WAIT);
    for (Lane lane : lanes) {
      if (lane.isClosed()) {
        continue;
      }
      // A lane waiting for renewed records, or for the answers its lock check waits for, polls at the busy
      // pace, a free one at the pace of the queue, whichever lane comes first.
      if (lane.state() == Lane.State.RENEWING || lane.checkWaiting()) {
        next = min(next, now.plus(PollPace.BUSY));
      } else if (lane.state() == Lane.State.IDLE && accepting) {
        next = min(next, now.plus(tick));
        continue;
      }
      Held h = lane.held();
      if (h != null && !h.isSettled() && h.run != null) {
        next = min(next, now.plus(DeadlinePolicy.untilNextCheck(h.work.deadline(), cancelGrace, now,
            sinceDeadlineSignal(h, nowNanos))));
      }
      if (h != null && !h.lockLost && !h.isSettled()) {
        next = min(next, now.plus(h.untilHalfLock(lockOf(lane), nowNanos)));
      }
      if (h != null && !h.announced && !h.isSettled() && h.started()) {
        next = min(next, now.plus(runningNotice.minus(h.ranFor(nowNanos))));
      }
      if (h != null && h.announced && !h.isSettled() && h.context.hasProgress()) {
        next = min(next, now.plus(untilProgress(h, nowNanos)));
      }
      if (h != null && h.cancelled && !h.isSettled()) {
        next = min(next, now.plus(untilCancelGraceEnds(h, nowNanos)));
      }
    }
    if (draining) {
      next = min(next, now.plusNanos((graceOver ? giveUpAtNanos : drainDeadlineNanos) - nowNanos));
    }
    Duration d = Duration.between(now, next);
    return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
  }

  private void waitForCompletion(Duration wait) {
    try {
      Completion c = completions.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (c != null) {
        handle(c);
      }
    } catch (InterruptedException e) {
      // An interrupt of the poll thread is read as a request to shut down; the flag is not kept,
      // since the Kafka clients would refuse every later call while it is set.
      drainAsked = true;
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
