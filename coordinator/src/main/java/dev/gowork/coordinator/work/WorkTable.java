package dev.gowork.coordinator.work;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.CancelNotice;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.state.Journal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The coordinator's record of every work item it published, and the only place their state changes.
 *
 * <p>Concurrency: items live in a {@link ConcurrentHashMap}; each change happens inside
 * {@code synchronized (record)} after {@link Lifecycle#allows} said yes, and fires its event there,
 * so a terminal event fires exactly once however many threads (results consumer, timeout task,
 * {@code get}, retries) race for the same item. Every decision is a function of the record and the
 * {@code now} the caller passes; this class never reads a clock.
 *
 * <p>Durability: every change also appends the item's state record to the {@link Journal}, in the
 * same {@link Journal#atomically} unit as the events it fires, so the record and its events are
 * committed together; a forgotten item appends a tombstone. {@link #restore} rebuilds an item from
 * its record at start, firing nothing.
 *
 * <p>Ownership: with several coordinators on one prefix, only the {@link Ownership owner} of an item
 * changes it; the check happens inside the journal unit, so a change made while the owner still held
 * the item's partition is committed before the partition moves on. Other coordinators mirror the
 * owner's records ({@link #follow}) to answer status queries.
 *
 * <p>(A long file on purpose: every state change is here, under the one locking rule above, so that
 * none can bypass it; the record format ({@code WorkStateCodec}), the retention of finished items
 * ({@code Retention}) and the transition table ({@link Lifecycle}) live apart.)
 */
public final class WorkTable {
  private static final int MAX_ERROR_CHARS = 4096;
  /** Why a change was refused: the item is decided by another coordinator. */
  public static final String NOT_OWNED = "work belongs to another coordinator";
  /** Why a result was refused: another worker runs this attempt (handed out over HTTP, or it said so first). */
  public static final String HANDED_TO_ANOTHER = "work was handed to another worker";

  private final EventDispatcher events;
  private final WireCodec codec;
  private final ConcurrentHashMap<String, WorkRecord> items = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> active = new ConcurrentHashMap<>();
  private final Retention retention;
  private final FinishWatch finishWatch = new FinishWatch();
  private final Journal journal;
  private final WorkStateCodec records;
  private final Ownership ownership;
  private volatile Function<String, String> workerNames = workerId -> null;

  public WorkTable(EventDispatcher events, WireCodec codec) {
    this(events, codec, Journal.discarding(), Ownership.everything());
  }

  /**
   * @param ownership which items this table may change (time out, retry, complete, requeue); the
   *     others it only mirrors from the state records their owner writes ({@link #follow})
   */
  public WorkTable(EventDispatcher events, WireCodec codec, Journal journal, Ownership ownership) {
    this.events = events;
    this.codec = codec;
    this.journal = journal;
    this.records = new WorkStateCodec(codec);
    this.ownership = ownership;
    this.retention = new Retention(items, ownership, journal);
  }

  /**
   * Has the work events that name a worker ({@code work_started}, {@code work_complete}, {@code work_failed},
   * {@code work_dead}, {@code work_timeout}, {@code work_cancelled}) and the snapshots ({@link #status},
   * {@link #running}, {@link #deadLetters}, {@link #cancel}) carry its name as {@code names} gives it for a
   * worker id, null for none (the default gives none). Called with the record's lock held, for each such
   * event and snapshot: a map lookup, no more.
   */
  public void namesWorkersWith(Function<String, String> names) {
    this.workerNames = names;
  }

  /** True when this coordinator decides about {@code workId} (see {@link Ownership}). */
  public boolean owns(String workId) {
    return ownership.owns(workId);
  }

  /** The results partition whose holder decides about {@code workId}. */
  public int partitionOf(String workId) {
    return ownership.partitionOf(workId);
  }

  /**
   * What {@link #restore} rebuilt: enough for the caller to track its deadline and plan its retry, or
   * its release when it was added with a delay ({@code runAt}, epoch ms; -1 otherwise). {@code updatedAt}
   * (epoch ms) is when it entered its state: for RETRY_WAIT, when the attempt failed, whence its backoff counts.
   */
  public record Restored(String workId, WorkState state, int attempt, long deadline, boolean republish, long runAt,
      long updatedAt) {}

  /**
   * Rebuilds an item from its state record (at start, before anything else touches the table);
   * fires nothing and journals nothing.
   *
   * @return the item, or empty with {@code problem[0]} saying why the record was skipped
   */
  public Optional<Restored> restore(String workId, byte[] value, String[] problem) {
    WorkRecord r = records.decode(workId, value, problem);
    if (r == null) {
      return Optional.empty();
    }
    WorkRecord old = items.put(workId, r);
    if (old != null && !Lifecycle.isTerminal(old.state)) {
      counter(old.queue).decrement();
    }
    if (old != null && finishedNotDead(old.state) && finishedNotDead(r.state)) {
      return Optional.of(restored(r)); // noted already: once only towards the cap
    }
    if (!Lifecycle.isTerminal(r.state)) {
      counter(r.queue).increment();
    } else if (r.state == WorkState.DEAD) {
      retention.died(workId, r.updatedAt);
    } else {
      retention.finished(workId, r.updatedAt);
    }
    return Optional.of(restored(r));
  }

  /**
   * Mirrors a state record written by another coordinator (the owner, or the one that added the
   * item). Records arrive in order per item; one that is behind what this table holds (a lower
   * attempt, or an earlier step of the same attempt) only contributes the payload's location.
   * Fires nothing and journals nothing.
   *
   * @return the item when the record was applied; empty when it was behind, or did not decode
   *     ({@code problem[0]} set)
   */
  public Optional<Restored> follow(String workId, byte[] value, String[] problem) {
    WorkRecord in = records.decode(workId, value, problem);
    if (in == null) {
      return Optional.empty();
    }
    WorkRecord r = items.putIfAbsent(workId, in);
    if (r == null) {
      counted(in);
      if (Lifecycle.isTerminal(in.state)) {
        finishWatch.finished(workId);
      }
      return Optional.of(restored(in));
    }
    synchronized (r) {
      if (r.partition < 0 && in.partition >= 0) {
        r.partition = in.partition;
        r.offset = in.offset;
      }
      if (stepOf(in) < stepOf(r)) {
        return Optional.empty();
      }
      WorkState before = r.state;
      r.deadline = in.deadline;
      r.updatedAt = in.updatedAt;
      r.state = in.state;
      r.attempt = in.attempt;
      r.maxAttempts = in.maxAttempts;
      r.workerId = in.workerId;
      r.republishPending = in.republishPending;
      r.outcome = in.outcome;
      r.progress = in.progress;
      r.handedOut = in.handedOut;
      r.noticeAt = in.noticeAt;
      r.runAt = in.runAt;
      r.parked = in.parked;
      // A second record of a finished item (its adder's located() after a fast completion, say) leaves
      // it noted once towards the cap.
      if (!(finishedNotDead(before) && finishedNotDead(r.state))) {
        uncounted(before, r.workId, r.queue);
        counted(r);
      }
      if (Lifecycle.isTerminal(r.state)) {
        finishWatch.finished(workId);
      }
      return Optional.of(restored(r));
    }
  }

  /**
   * The rebuild from the state topic is done: orders the finished items it restored by when they
   * finished (it read them partition by partition), so that the cap forgets the oldest first.
   */
  public void rebuilt() {
    retention.orderFinishedByAge();
  }

  private static boolean finishedNotDead(WorkState s) {
    return Lifecycle.isTerminal(s) && s != WorkState.DEAD;
  }

  /** Mirrors a tombstone: the owner forgot a finished item or a dead letter. */
  public void followForgotten(String workId) {
    WorkRecord r = items.get(workId);
    if (r != null) {
      synchronized (r) {
        if (Lifecycle.isTerminal(r.state) && items.remove(workId, r)) {
          retention.undead(workId);
        }
      }
    }
  }

  /** The unfinished items {@code which} selects (e.g. those of partitions just gained), to track and plan. */
  public List<Restored> unfinished(java.util.function.Predicate<String> which) {
    List<Restored> out = new ArrayList<>();
    for (WorkRecord r : items.values()) {
      synchronized (r) {
        if (!Lifecycle.isTerminal(r.state) && which.test(r.workId)) {
          out.add(restored(r));
        }
      }
    }
    return out;
  }

  private static Restored restored(WorkRecord r) {
    return new Restored(r.workId, r.state, r.attempt, r.deadline, r.republishPending, r.runAt, r.updatedAt);
  }

  /** Orders the records of one item: a later attempt, then a later step of the same attempt. */
  private static long stepOf(WorkRecord r) {
    int step = switch (r.state) {
      case SCHEDULED -> 0;
      case QUEUED -> 1;
      case RUNNING -> 2;
      case RETRY_WAIT -> 3;
      default -> 4;
    };
    return (long) r.attempt * 5 + step;
  }

  private void counted(WorkRecord r) {
    if (!Lifecycle.isTerminal(r.state)) {
      counter(r.queue).increment();
    } else if (r.state == WorkState.DEAD) {
      retention.died(r.workId, r.updatedAt);
    } else {
      retention.finished(r.workId, r.updatedAt);
    }
  }

  private void uncounted(WorkState was, String workId, String queue) {
    if (!Lifecycle.isTerminal(was)) {
      counter(queue).decrement();
    } else if (was == WorkState.DEAD) {
      retention.undead(workId);
    }
  }

  /**
   * Records published work as queued, in memory (before it is sent, so no result can arrive for an
   * unknown id); {@link #located} journals it.
   *
   * @throws GoWorkException CONFLICT when the id is already known
   */
  public void queued(WorkEnvelope w, long now) {
    String queue = w.queue().intern();
    WorkRecord r = new WorkRecord(w.workId(), queue, w.createdAt().toEpochMilli(), w.deadline().toEpochMilli(),
        (int) w.timeoutSeconds(), w.attempt(), w.maxAttempts());
    r.updatedAt = now;
    if (items.putIfAbsent(w.workId(), r) != null) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + w.workId() + " was already added");
    }
    counter(queue).increment();
    // Not journaled yet: its first state record is written by located(), once the broker has the
    // work record and its position is known (one record per add instead of two).
  }

  /**
   * Records work added with a delay as scheduled until {@code runAt} (epoch ms), in memory and before
   * it is sent to {@code <p>.scheduled}; {@link #located} journals it; {@link #released} queues it.
   *
   * @throws GoWorkException CONFLICT when the id is already known
   */
  public void scheduled(WorkEnvelope w, long runAt, long now) {
    String queue = w.queue().intern();
    WorkRecord r = new WorkRecord(w.workId(), queue, w.createdAt().toEpochMilli(), w.deadline().toEpochMilli(),
        (int) w.timeoutSeconds(), w.attempt(), w.maxAttempts());
    r.state = WorkState.SCHEDULED;
    r.runAt = runAt;
    r.parked = true;
    r.updatedAt = now;
    if (items.putIfAbsent(w.workId(), r) != null) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + w.workId() + " was already added");
    }
    counter(queue).increment();
  }

  /**
   * SCHEDULED work that is due becomes QUEUED, to be published to its queue (no event: {@code add_work}
   * fired when it was added); false when it is no longer scheduled (cancelled, timed out) or not owned.
   */
  public boolean released(String workId, long now) {
    return changeOwned(workId, r -> {
      if (timeOutIfDue(r, now, null) || r.state != WorkState.SCHEDULED || !r.moveTo(WorkState.QUEUED, now)) {
        return Verdict.refused(r.state, "work is " + r.state.wireName());
      }
      r.republishPending = true;
      save(r);
      return Verdict.accepted(r.state);
    }).accepted();
  }

  /** Drops work whose publication failed. */
  public void forget(String workId) {
    WorkRecord r = items.remove(workId);
    if (r != null) {
      synchronized (r) {
        if (!Lifecycle.isTerminal(r.state)) {
          counter(r.queue).decrement();
        }
        if (r.partition >= 0) {
          journal.put(Journal.Kind.STATE, workId, null);
        }
      }
    }
  }

  /** Notes where the broker stored the work's first publication. */
  public void located(String workId, int partition, long offset) {
    WorkRecord r = items.get(workId);
    if (r != null) {
      synchronized (r) {
        if (r.partition < 0) {
          r.partition = partition;
          r.offset = offset;
          save(r);
        }
      }
    }
  }

  public boolean knows(String workId) {
    return items.containsKey(workId);
  }

  /**
   * Which incarnation of {@code workId} this table holds: its item's creation time (epoch ms), or -1 when
   * it holds none. A work id added again after its item was forgotten names new work.
   */
  public long incarnation(String workId) {
    WorkRecord r = items.get(workId);
    return r == null ? -1 : r.createdAt;
  }

  public Optional<WorkRef> ref(String workId) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return Optional.empty();
    }
    synchronized (r) {
      return Optional.of(r.ref());
    }
  }

  /**
   * True while attempt {@code attempt} is QUEUED and not yet published again: set by {@link #retried},
   * {@link #released} and {@link #revive}, cleared by {@link #republished} (here, or by the coordinator
   * that owned the item meanwhile) and by a start or result.
   */
  public boolean awaitsRepublish(String workId, int attempt) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.state == WorkState.QUEUED && r.republishPending && r.attempt == attempt;
    }
  }

  /**
   * The get path: attempt {@code attempt} was handed out over HTTP to {@code workerId}; QUEUED becomes
   * RUNNING, marked as handed out (fires {@code work_started}). RUNNING work moves to it only for a newer
   * attempt (its record came back to the group after a Kafka worker's lock ran out) and when its running
   * attempt was not handed out over HTTP itself; refused for an older attempt.
   */
  public Verdict start(String workId, int attempt, String workerId, long now) {
    return changeOwned(workId, r -> {
      if (timeOutIfDue(r, now, null)) {
        return Verdict.refused(r.state, "work timed out");
      }
      if (attempt < r.attempt) {
        return Verdict.refused(r.state, "attempt " + attempt + " is not the current one");
      }
      if (r.state == WorkState.RUNNING && (attempt == r.attempt || r.handedOut)) {
        return Verdict.refused(r.state, HANDED_TO_ANOTHER);
      }
      if (r.state == WorkState.RUNNING || r.moveTo(WorkState.RUNNING, now)) {
        r.progress = null;
        startedBy(r, attempt, workerId, true, -1, now);
        return Verdict.accepted(r.state);
      }
      return Verdict.refused(r.state, "work is " + r.state.wireName());
    });
  }

  /**
   * A worker's notice that it has been running attempt {@code attempt} for a while: QUEUED becomes
   * RUNNING with that worker (fires {@code work_started}); a newer attempt of RUNNING work (the
   * record came back to the group, e.g. its worker died) moves it to the new worker and fires it
   * again. The same worker's same attempt again changes nothing and fires nothing. Refused, with no
   * change, when the work is terminal, waiting to retry, past its deadline, or the notice is for an
   * older attempt or the same attempt of another worker. A notice's {@code progress} (null when it
   * has none) is kept while the work runs and shown in its status.
   */
  public Verdict noteRunning(String workId, int attempt, String workerId, Progress progress, long now) {
    return noteRunning(workId, attempt, workerId, progress, false, now, now);
  }

  /**
   * {@link #noteRunning(String, int, String, Progress, long)} for a notice signed at {@code signedAt}
   * (epoch ms). {@code handedOut}: the notice says the attempt was handed out over HTTP (by another
   * coordinator), which marks it so. Also refused: a newer attempt of work whose running attempt was
   * handed out over HTTP (its record was ACCEPTed, so that attempt was never handed out), and a notice
   * of the running attempt signed before the last one applied to it (a replay would roll its progress
   * back).
   */
  public Verdict noteRunning(String workId, int attempt, String workerId, Progress progress, boolean handedOut,
      long signedAt, long now) {
    return changeOwned(workId, r -> {
      if (timeOutIfDue(r, now, null) || r.state != WorkState.QUEUED && r.state != WorkState.RUNNING) {
        return Verdict.refused(r.state, "work is " + r.state.wireName());
      }
      boolean newer = attempt > r.attempt;
      if (attempt < r.attempt || r.state == WorkState.RUNNING && !newer && !workerId.equals(r.workerId)) {
        return Verdict.refused(r.state, "attempt " + attempt + " is not the current one");
      }
      if (r.state == WorkState.RUNNING && newer && r.handedOut) {
        return Verdict.refused(r.state, neverHandedOut(r, attempt));
      }
      if (r.state == WorkState.RUNNING && !newer) {
        if (signedAt < r.noticeAt) {
          return Verdict.refused(r.state, "a running notice signed before the last one of attempt " + attempt);
        }
        boolean changed = handedOut && !r.handedOut;
        r.handedOut |= handedOut;
        if (progress != null && !progress.equals(r.progress)) {
          r.progress = progress;
          r.updatedAt = now;
          changed = true;
        }
        if (changed) {
          r.noticeAt = Math.max(r.noticeAt, signedAt);
          save(r);
        }
        return Verdict.accepted(r.state);
      }
      r.moveTo(WorkState.RUNNING, now);
      r.progress = progress;
      startedBy(r, attempt, workerId, handedOut, signedAt, now);
      return Verdict.accepted(r.state);
    });
  }

  private static String neverHandedOut(WorkRecord r, int attempt) {
    return "attempt " + attempt + " was never handed out: attempt " + r.attempt + " was handed out over HTTP";
  }

  /**
   * Runs {@code change} on the item under its monitor, in one journal unit, once this coordinator is
   * seen to own it there; refused when the item is unknown or another coordinator owns it.
   */
  private Verdict changeOwned(String workId, Function<WorkRecord, Verdict> change) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return Verdict.refused(null, "unknown work");
    }
    synchronized (r) {
      return journal.atomically(() -> ownership.owns(workId) ? change.apply(r) : Verdict.refused(r.state, NOT_OWNED));
    }
  }

  /**
   * {@link #changeOwned} for an operator's request, which a refusal answers with an exception: NOT_FOUND
   * for unknown work, CONFLICT naming the results partition when another coordinator owns it (where to
   * {@code verb} it instead).
   */
  private <T> T changeOwnedOrThrow(String workId, String verb, Function<WorkRecord, T> change) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      throw new GoWorkException(ErrorCode.NOT_FOUND, "no work with id " + workId);
    }
    synchronized (r) {
      return journal.atomically(() -> {
        if (!ownership.owns(workId)) {
          throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " belongs to another coordinator "
              + "(results partition " + ownership.partitionOf(workId) + "); " + verb + " it there");
        }
        return change.apply(r);
      });
    }
  }

  /**
   * Notes the RUNNING work's attempt and worker, whether it was handed out over HTTP and the signed time
   * of its first notice (-1 for none), fires {@code work_started} and saves it (inside a unit).
   */
  private void startedBy(WorkRecord r, int attempt, String workerId, boolean handedOut, long noticeAt, long now) {
    r.attempt = Math.max(r.attempt, attempt);
    r.workerId = workerId;
    r.handedOut = handedOut;
    r.noticeAt = noticeAt;
    r.updatedAt = now;
    r.republishPending = false;
    about(EventType.WORK_STARTED, r).fire();
    save(r);
  }

  /**
   * Applies an authenticated result. Refused (no change) when the work is terminal, waiting to
   * retry, past its deadline, or the attempt is older than the current one.
   */
  public Verdict applyResult(ResultEnvelope res, String workerId, long now) {
    WorkRecord r = items.get(res.workId());
    if (r == null) {
      return Verdict.refused(null, "unknown work");
    }
    synchronized (r) {
      return journal.atomically(() -> applyLocked(r, res, workerId, now));
    }
  }

  private Verdict applyLocked(WorkRecord r, ResultEnvelope res, String workerId, long now) {
    if (res.status() == ResultStatus.RUNNING) {
      return Verdict.refused(r.state, "a running notice is not a result");
    }
    if (!ownership.owns(r.workId)) {
      return Verdict.refused(r.state, NOT_OWNED);
    }
    if (r.state == WorkState.TIMED_OUT || timeOutIfDue(r, now, null)) {
      return Verdict.refused(r.state, "work timed out");
    }
    if (Lifecycle.isTerminal(r.state)) {
      return Verdict.refused(r.state, "work is already " + r.state.wireName());
    }
    if (r.state == WorkState.RETRY_WAIT) {
      return Verdict.refused(r.state, "work is waiting for attempt " + (r.attempt + 1));
    }
    if (r.state == WorkState.SCHEDULED) {
      return Verdict.refused(r.state, "work is scheduled for " + Instant.ofEpochMilli(r.runAt) + ", not yet queued");
    }
    // workerId is null only for the in-process submit(Work), which the application itself makes. A
    // newer attempt from another worker is the record handed to it after the first one's lock ran out.
    if (r.state == WorkState.RUNNING && r.workerId != null && workerId != null && !r.workerId.equals(workerId)
        && res.attempt() <= r.attempt) {
      return Verdict.refused(r.state, HANDED_TO_ANOTHER);
    }
    // Work handed out over HTTP was ACCEPTed by the coordinator that took it: no later attempt exists.
    if (r.state == WorkState.RUNNING && r.handedOut && workerId != null && res.attempt() > r.attempt) {
      return Verdict.refused(r.state, neverHandedOut(r, res.attempt()));
    }
    if (res.attempt() < r.attempt) {
      return Verdict.refused(r.state, "attempt " + res.attempt() + " is older than the current attempt " + r.attempt);
    }
    r.attempt = res.attempt();
    if (workerId != null) {
      r.workerId = workerId;
    }
    r.republishPending = false;
    return switch (res.status()) {
      case COMPLETED -> complete(r, res, now);
      case FAILED -> fail(r, clip(res.error() == null ? "failed" : res.error()), now);
      case TIMED_OUT -> {
        timeOut(r, now, clip(res.error() == null ? "the worker reported a timeout" : res.error()));
        yield Verdict.accepted(r.state);
      }
      case RUNNING -> throw new IllegalStateException("checked above");
    };
  }

  /** Times the work out when its deadline has passed and it is not terminal; true when this call did it. */
  public boolean expire(String workId, long now) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return journal.atomically(() -> ownership.owns(workId) && timeOutIfDue(r, now, null));
    }
  }

  /** RETRY_WAIT becomes QUEUED with the next attempt (fires {@code work_retry}); false when no longer waiting. */
  public boolean retried(String workId, int attempt, long now) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return journal.atomically(() -> {
        if (!ownership.owns(workId) || timeOutIfDue(r, now, null) || r.state != WorkState.RETRY_WAIT
            || !r.moveTo(WorkState.QUEUED, now)) {
          return false;
        }
        r.attempt = attempt;
        r.republishPending = true;
        events.event(EventType.WORK_RETRY).queue(r.queue).work(workId).attempt(attempt).maxAttempts(r.maxAttempts).fire();
        save(r);
        return true;
      });
    }
  }

  /**
   * Notes that attempt {@code attempt} was published again (a restart need not republish it). Not once
   * the item's partition moved on: its new owner read the item as still to republish, and republishes it.
   */
  public void republished(String workId, int attempt) {
    WorkRecord r = items.get(workId);
    if (r != null) {
      synchronized (r) {
        journal.atomically(() -> {
          if (r.republishPending && r.attempt == attempt && ownership.owns(workId)) {
            r.republishPending = false;
            save(r);
          }
          return null;
        });
      }
    }
  }

  /**
   * Takes a dead item out of the dead letters for one more attempt, with a fresh deadline
   * ({@code now + timeoutSeconds}); fires {@code work_retry}.
   *
   * @return what to republish
   * @throws GoWorkException NOT_FOUND for unknown work, CONFLICT when it is not dead
   */
  public WorkRef revive(String workId, long now) {
    return changeOwnedOrThrow(workId, "requeue", r -> {
      if (r.state != WorkState.DEAD || !r.moveTo(WorkState.QUEUED, now)) {
        throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is " + r.state.wireName() + ", not dead");
      }
      retention.undead(workId);
      counter(r.queue).increment();
      r.attempt++;
      r.maxAttempts = r.attempt;
      r.deadline = now + r.timeoutSeconds * 1000L;
      r.outcome = null;
      r.republishPending = true;
      events.event(EventType.WORK_RETRY).queue(r.queue).work(workId).attempt(r.attempt).maxAttempts(r.maxAttempts).fire();
      save(r);
      return r.ref();
    });
  }

  /**
   * Cancels work that has not finished: QUEUED, RUNNING or RETRY_WAIT becomes CANCELLED and fires
   * {@code work_cancelled}; the same unit writes a {@link CancelNotice} for the workers, so one that
   * holds the item stops it and one that receives it later skips it. A result that arrives after is
   * refused as for any finished work.
   *
   * @param reason why, as the caller gave it (clipped), or null
   * @return the item's status once cancelled
   * @throws GoWorkException NOT_FOUND for unknown work, CONFLICT when it already finished (or its
   *     deadline has just passed) or belongs to another coordinator
   */
  public WorkStatus cancel(String workId, String reason, long now) {
    return changeOwnedOrThrow(workId, "cancel", r -> {
      timeOutIfDue(r, now, null);
      if (!r.moveTo(WorkState.CANCELLED, now)) {
        throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is already " + r.state.wireName()
            + "; only scheduled, queued, running or retrying work can be cancelled");
      }
      String why = reason == null || reason.isBlank() ? null : clip(reason.strip());
      r.outcome = why == null ? "cancelled" : "cancelled: " + why;
      r.republishPending = false;
      ended(r, now);
      about(EventType.WORK_CANCELLED, r).durationMs(now - r.createdAt).error(why).fire();
      save(r);
      journal.put(Journal.Kind.CONTROL, workId, new CancelNotice(workId, r.queue, r.attempt,
          Instant.ofEpochMilli(r.deadline), Instant.ofEpochMilli(now), why).encode(codec));
      return snapshot(r);
    });
  }

  /** The ids of the unfinished work of {@code queue}, this coordinator's and those it mirrors, in no order. */
  public List<String> unfinishedOf(String queue) {
    List<String> out = new ArrayList<>();
    for (WorkRecord r : items.values()) {
      synchronized (r) {
        if (!Lifecycle.isTerminal(r.state) && r.queue.equals(queue)) {
          out.add(r.workId);
        }
      }
    }
    return out;
  }

  public Optional<WorkStatus> status(String workId) {
    WorkRecord r = items.get(workId);
    if (r == null) {
      return Optional.empty();
    }
    synchronized (r) {
      return Optional.of(snapshot(r));
    }
  }

  /** Items not yet terminal (queued, running, waiting to retry), per queue, sorted by name. */
  public Map<String, Long> sizes() {
    Map<String, Long> m = new TreeMap<>();
    active.forEach((q, n) -> m.put(q, n.sum()));
    return m;
  }

  /**
   * Each queue's unfinished work by state, and its latency at {@code now} (epoch ms; see {@link QueueLoad}), by
   * queue name: this table's own items and those it mirrors. One walk over every item: for occasional reports
   * (a request, a scrape), not for hot paths.
   */
  public Map<String, QueueLoad> loads(long now) {
    Map<String, Tally> tallies = new HashMap<>();
    for (WorkRecord r : items.values()) {
      synchronized (r) {
        if (!Lifecycle.isTerminal(r.state)) {
          tallies.computeIfAbsent(r.queue, q -> new Tally()).add(r, now);
        }
      }
    }
    Map<String, QueueLoad> m = new TreeMap<>();
    tallies.forEach((queue, t) -> m.put(queue, t.load(now)));
    return m;
  }

  /** One queue's counts during {@link #loads}. */
  private static final class Tally {
    private static final WorkState[] STATES = WorkState.values();
    private final long[] byState = new long[STATES.length];
    private long oldest = Long.MAX_VALUE;

    void add(WorkRecord r, long now) {
      byState[r.state.ordinal()]++;
      long since = r.waitingSince();
      if (since <= now && since < oldest) {
        oldest = since;
      }
    }

    QueueLoad load(long now) {
      Map<WorkState, Long> m = new EnumMap<>(WorkState.class);
      for (WorkState s : STATES) {
        if (byState[s.ordinal()] > 0) {
          m.put(s, byState[s.ordinal()]);
        }
      }
      return new QueueLoad(m, oldest == Long.MAX_VALUE ? 0 : now - oldest);
    }
  }

  /** Every running item this table holds (its own and those it mirrors), in no order. */
  public List<WorkStatus> running() {
    List<WorkStatus> out = new ArrayList<>();
    for (WorkRecord r : items.values()) {
      synchronized (r) {
        if (r.state == WorkState.RUNNING) {
          out.add(snapshot(r));
        }
      }
    }
    return out;
  }

  public List<WorkStatus> deadLetters() {
    List<WorkStatus> out = new ArrayList<>();
    for (String id : retention.deadIds()) {
      status(id).filter(s -> s.state() == WorkState.DEAD).ifPresent(out::add);
    }
    return out;
  }

  /** How many dead letters the table holds. */
  public int deadCount() {
    return retention.deadCount();
  }

  /**
   * Forgets the dead letters that died before {@code cutoff}, and the oldest beyond the last
   * {@code keep} that died (their payloads stay on the work topic until its retention deletes them).
   *
   * @return how many were forgotten
   */
  public int forgetDead(long cutoff, int keep) {
    return retention.forgetDead(cutoff, keep);
  }

  /**
   * Forgets one dead letter for good: it is no longer listed or requeueable, and its state record
   * is deleted (a tombstone). The {@code work_dead} event on the events topic stays.
   *
   * @throws GoWorkException NOT_FOUND for unknown work, CONFLICT when it is not dead or belongs to
   *     another coordinator
   */
  public void discard(String workId) {
    changeOwnedOrThrow(workId, "delete", r -> {
      if (r.state != WorkState.DEAD) {
        throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is " + r.state.wireName() + ", not dead");
      }
      items.remove(workId, r);
      retention.undead(workId);
      journal.put(Journal.Kind.STATE, workId, null);
      return null;
    });
  }

  /** How many items the table holds (terminal ones until forgotten). */
  public int tracked() {
    return items.size();
  }

  /** Forgets items that became completed, failed or timed out before {@code cutoff}; returns how many. */
  public int forgetFinishedBefore(long cutoff) {
    return forgetFinished(cutoff, Integer.MAX_VALUE);
  }

  /**
   * Forgets items that became completed, failed or timed out before {@code cutoff}, and the oldest
   * beyond the last {@code keep} that finished (dead letters: {@link #forgetDead}).
   *
   * @return how many were forgotten
   */
  public int forgetFinished(long cutoff, int keep) {
    return retention.forgetFinished(cutoff, keep);
  }

  // ------------------------------------------------------------------ transitions (hold the record's lock)

  /** {@code r} as {@link WorkStatus}, with its worker's name when known. */
  private WorkStatus snapshot(WorkRecord r) {
    return r.status(codec, workerName(r));
  }

  /** An event about {@code r}'s current attempt, with its worker's id and name when it has a worker. */
  private EventDispatcher.Draft about(EventType type, WorkRecord r) {
    return events.event(type).queue(r.queue).work(r.workId).worker(r.workerId).workerName(workerName(r))
        .attempt(r.attempt).maxAttempts(r.maxAttempts);
  }

  /** The name of {@code r}'s worker, null when it has none or the worker table does not know its name. */
  private String workerName(WorkRecord r) {
    return r.workerId == null ? null : workerNames.apply(r.workerId);
  }

  private Verdict complete(WorkRecord r, ResultEnvelope res, long now) {
    r.moveTo(WorkState.COMPLETED, now);
    r.outcome = res.result() == null ? null : codec.write(res.result());
    ended(r, now);
    about(EventType.WORK_COMPLETE, r).durationMs(now - r.createdAt).fire();
    save(r);
    return Verdict.accepted(r.state);
  }

  private Verdict fail(WorkRecord r, String error, long now) {
    WorkState next = r.attempt < r.maxAttempts ? WorkState.RETRY_WAIT
        : r.maxAttempts > 1 ? WorkState.DEAD : WorkState.FAILED;
    r.moveTo(next, now);
    r.outcome = error;
    about(EventType.WORK_FAILED, r).durationMs(now - r.createdAt).error(error).fire();
    if (next == WorkState.DEAD) {
      retention.died(r.workId, now);
      about(EventType.WORK_DEAD, r).durationMs(now - r.createdAt).error(error).fire();
    }
    if (next != WorkState.RETRY_WAIT) {
      ended(r, now);
    }
    save(r);
    return Verdict.accepted(next);
  }

  private boolean timeOutIfDue(WorkRecord r, long now, String error) {
    return r.expiredAt(now) && !Lifecycle.isTerminal(r.state)
        && timeOut(r, now, error == null ? "deadline passed" : error);
  }

  private boolean timeOut(WorkRecord r, long now, String error) {
    if (!r.moveTo(WorkState.TIMED_OUT, now)) {
      return false;
    }
    r.outcome = error;
    ended(r, now);
    about(EventType.WORK_TIMEOUT, r).durationMs(now - r.createdAt).error(error).fire();
    save(r);
    return true;
  }

  /** Journals the record's current state; the caller holds its lock. */
  private void save(WorkRecord r) {
    if (journal.isDurable()) {
      journal.put(Journal.Kind.STATE, r.workId, records.encode(r));
    }
    if (Lifecycle.isTerminal(r.state) && finishWatch.watched(r.workId)) {
      // Appended after the record, so it completes once the record is committed (at once without Kafka).
      String id = r.workId;
      journal.flush().whenComplete((v, e) -> finishWatch.finished(id));
    }
  }

  /**
   * A signal that completes once {@code workId} has reached a final state that is committed: its own
   * (this coordinator's transaction committed it) or mirrored (read from the owner's committed
   * record); or when the table closes. The caller checks the status itself first, and gives the
   * signal back with {@link #unwatchFinish} if it stops waiting.
   */
  public CompletableFuture<Void> watchFinish(String workId) {
    return finishWatch.add(workId);
  }

  public void unwatchFinish(String workId, CompletableFuture<Void> signal) {
    finishWatch.remove(workId, signal);
  }

  /** Signals every waiter (the server is closing). */
  public void finishAllWatches() {
    finishWatch.finishAll();
  }

  private void ended(WorkRecord r, long now) {
    counter(r.queue).decrement();
    if (r.state != WorkState.DEAD) {
      retention.finished(r.workId, now);
    }
  }

  private LongAdder counter(String queue) {
    return active.computeIfAbsent(queue, q -> new LongAdder());
  }

  private static String clip(String s) {
    return s.length() > MAX_ERROR_CHARS ? s.substring(0, MAX_ERROR_CHARS) + "…" : s;
  }
}
