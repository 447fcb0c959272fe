package dev.gowork.coordinator.schedule;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.state.Journal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The schedules of a prefix as this coordinator knows them, from {@code <p>.schedules}, and what it
 * writes there. Every coordinator follows the whole topic ({@link #apply}); only the owner of a
 * schedule's name (as of a work id) runs it, so one run time adds work once. Run times are pure
 * functions of the definition, its last run and {@code now} ({@link #due}).
 *
 * <p>A run missed while no coordinator ran it happens once, as soon as one is back (not once per
 * missed time); a schedule defined or changed runs first at its next time after that. Thread-safe.
 */
public final class Schedules {
  /** Most schedules of one prefix: every coordinator keeps them all in memory. */
  public static final int MAX_SCHEDULES = 1_000;

  /** A run that is due: add the schedule's work for run time {@code at}. */
  public record Due(Schedule schedule, Instant at) {
    /** The id of the work this run adds: the same on every coordinator and after a restart. */
    public String workId() {
      return schedule.name() + "@" + at;
    }
  }

  private record Defined(Schedule schedule, Instant definedAt) {}

  /** The first run time after {@code since}, computed once per change of {@code since}; null when none. */
  private record Next(Instant since, Instant at) {}

  private final Journal journal;
  private final Map<String, Defined> defined = new TreeMap<>();
  private final Map<String, ScheduleRecords.Run> runs = new HashMap<>();
  /** {@link #due} runs every tick: a cron expression is evaluated only when a schedule's last run or definition changed. */
  private final Map<String, Next> next = new HashMap<>();

  /** @param journal where definitions, deletions and runs are written (committed with the coordinator's changes) */
  public Schedules(Journal journal) {
    this.journal = journal;
  }

  /**
   * Writes {@code s} (a new schedule, or a new definition of one of that name) to the journal; it
   * takes effect here when the follower reads it back.
   *
   * @throws GoWorkException CONFLICT when {@value #MAX_SCHEDULES} other schedules exist
   */
  public void define(Schedule s, Instant now) {
    checkRoomFor(s.name());
    journal.put(Journal.Kind.SCHEDULE, ScheduleRecords.DEFINITION + s.name(), ScheduleRecords.definition(s, now));
  }

  /**
   * Checks that a schedule named {@code name} may be defined: it exists, or there are fewer than
   * {@value #MAX_SCHEDULES}.
   *
   * @throws GoWorkException CONFLICT when {@value #MAX_SCHEDULES} other schedules exist
   */
  public synchronized void checkRoomFor(String name) {
    if (!defined.containsKey(name) && defined.size() >= MAX_SCHEDULES) {
      throw new GoWorkException(ErrorCode.CONFLICT, "there are " + defined.size()
          + " schedules, the most one prefix may have; delete one first");
    }
  }

  /** Writes the deletion of schedule {@code name} to the journal; false (nothing written) when it is not known. */
  public boolean delete(String name) {
    synchronized (this) {
      if (!defined.containsKey(name)) {
        return false;
      }
    }
    journal.atomically(() -> {
      journal.put(Journal.Kind.SCHEDULE, ScheduleRecords.DEFINITION + name, null);
      journal.put(Journal.Kind.SCHEDULE, ScheduleRecords.RUN + name, null);
      return null;
    });
    return true;
  }

  /**
   * Records that {@code due} added its work: in the journal for every coordinator, and here once that
   * is committed (so a run shown is a run a restart knows of).
   *
   * @return completes once it is recorded here; fails when the journal could not commit it
   */
  public java.util.concurrent.CompletableFuture<Void> ran(Due due, String workId) {
    String name = due.schedule().name();
    ScheduleRecords.Run run = new ScheduleRecords.Run(name, due.at(), workId);
    journal.put(Journal.Kind.SCHEDULE, ScheduleRecords.RUN + name, ScheduleRecords.run(name, due.at(), workId));
    return journal.flush().thenRun(() -> {
      synchronized (this) {
        runs.merge(name, run, Schedules::later);
      }
    });
  }

  /**
   * Applies a record of {@code <p>.schedules} (a null value forgets its key).
   *
   * @throws IllegalArgumentException naming what is wrong with a record that cannot be read
   */
  public void apply(String key, byte[] value) {
    Optional<String> def = ScheduleRecords.nameOf(key, ScheduleRecords.DEFINITION);
    Optional<String> run = ScheduleRecords.nameOf(key, ScheduleRecords.RUN);
    if (def.isPresent()) {
      ScheduleRecords.Definition d = value == null ? null : ScheduleRecords.readDefinition(value);
      synchronized (this) {
        if (d == null) {
          defined.remove(def.get());
        } else {
          defined.put(def.get(), new Defined(d.schedule(), d.definedAt()));
        }
        next.remove(def.get());
        notifyAll();
      }
    } else if (run.isPresent()) {
      ScheduleRecords.Run r = value == null ? null : ScheduleRecords.readRun(value);
      synchronized (this) {
        if (r == null) {
          runs.remove(run.get());
        } else {
          runs.merge(run.get(), r, Schedules::later);
        }
      }
    } else {
      throw new IllegalArgumentException("key '" + key + "' is neither def:<name> nor run:<name>");
    }
  }

  /**
   * Waits until {@code s}, defined at {@code definedAt}, was read back, or a later definition ({@code
   * s} null: until the deletion of {@code name} was), at most {@code timeout}: a commit returns before
   * the broker moves the topic's end past it, so the reader's position says nothing of it yet.
   *
   * @return false when that did not happen in time
   */
  public synchronized boolean awaitReadBack(String name, Schedule s, Instant definedAt, java.time.Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Defined d = defined.get(name);
      if (s == null ? d == null : d != null && (d.definedAt().isAfter(definedAt)
          || d.definedAt().equals(definedAt) && d.schedule().equals(s))) {
        return true;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** The runs due at {@code now} of the schedules {@code owns} accepts by name: at most one per schedule. */
  public synchronized List<Due> due(Instant now, Predicate<String> owns) {
    List<Due> out = new ArrayList<>();
    for (Defined d : defined.values()) {
      if (!owns.test(d.schedule().name())) {
        continue;
      }
      pending(d, now).ifPresent(at -> out.add(new Due(d.schedule(), at)));
    }
    return out;
  }

  /** Every schedule, by name. */
  public synchronized List<ScheduleStatus> list(Instant now) {
    return defined.values().stream().map(d -> status(d, now)).toList();
  }

  public synchronized Optional<ScheduleStatus> get(String name, Instant now) {
    return Optional.ofNullable(defined.get(name)).map(d -> status(d, now));
  }

  public synchronized int size() {
    return defined.size();
  }

  private ScheduleStatus status(Defined d, Instant now) {
    ScheduleRecords.Run last = runs.get(d.schedule().name());
    Instant first = firstRunAfter(d, since(d));
    Instant next = first == null || first.isAfter(now) ? first
        : pending(d, now).or(() -> d.schedule().nextRunAfter(now)).orElse(null);
    return new ScheduleStatus(d.schedule(), d.definedAt(), last == null ? null : last.at(),
        last == null ? null : last.workId(), next);
  }

  /**
   * The run due at {@code now}: the latest run time up to now, once the first after the last run (or
   * the definition) has come, so runs missed meanwhile happen once. A cron expression's last run time
   * is looked for only then: for one that never matches (e.g. "0 0 30 2 *") that search takes 0.1 s.
   */
  private Optional<Instant> pending(Defined d, Instant now) {
    Instant since = since(d);
    Instant first = firstRunAfter(d, since);
    if (first == null || first.isAfter(now)) {
      return Optional.empty();
    }
    return d.schedule().lastRunAtOrBefore(now).filter(at -> at.isAfter(since));
  }

  /** The first run time after {@code since}, worked out once per change of it; null when none is left. */
  private Instant firstRunAfter(Defined d, Instant since) {
    Next n = next.get(d.schedule().name());
    if (n == null || !n.since().equals(since)) {
      n = new Next(since, d.schedule().nextRunAfter(since).orElse(null));
      next.put(d.schedule().name(), n);
    }
    return n.at();
  }

  /** Runs count from the later of the definition and the last run. */
  private Instant since(Defined d) {
    ScheduleRecords.Run last = runs.get(d.schedule().name());
    return last != null && last.at().isAfter(d.definedAt()) ? last.at() : d.definedAt();
  }

  private static ScheduleRecords.Run later(ScheduleRecords.Run a, ScheduleRecords.Run b) {
    return b.at().isAfter(a.at()) ? b : a;
  }
}
