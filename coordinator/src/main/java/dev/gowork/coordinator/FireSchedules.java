package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.Schedules;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the work of every due run of the schedules this coordinator owns (background task
 * {@code FireSchedules}), then records the run. Nothing runs before the schedules were read to their
 * end once, so that a restart neither repeats a recorded run nor runs a deleted schedule.
 *
 * <p>A run's work id is {@code <name>@<run time>}: should a run be repeated (a crash between the add
 * and the record of the run, a hand-over), the add finds the id known and the run counts as done. An
 * add that fails (Kafka away) is tried again 5 s later (on the monotonic nanoTime: a step of the wall
 * clock neither holds the retry back nor hurries it; when runs are due stays on the wall clock). That
 * wait belongs to the run that failed: it is forgotten once that run is no longer due (its schedule
 * deleted, redefined or handed over, or a later run time come), so a new definition of the name runs on
 * time. One run of a schedule is in flight at a time, until its record is committed.
 */
final class FireSchedules implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(FireSchedules.class);
  private final Schedules schedules;
  private final Predicate<String> owns;
  private final BooleanSupplier readToEnd;
  /** Adds a run's work ({@link Intake#addAllAsync}). */
  private final Function<List<Work>, CompletableFuture<Void>> add;
  private final Predicate<String> knows;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private static final long RETRY_AFTER_MS = 5_000;
  private static final long RETRY_AFTER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MS);
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.LongAdder runs = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
  /** After a failed run, a schedule waits {@value #RETRY_AFTER_MS} ms: by schedule name, the run and until when. */
  private final Map<String, Retry> retryAt = new ConcurrentHashMap<>();
  private boolean ready;

  /**
   * @param readToEnd true once the schedules topic was read to its end (may wait a while)
   * @param add adds a run's work, as {@link Intake#addAllAsync} does
   * @param knows whether a work id was added already (a run added before a restart or a hand-over)
   * @param nanoTime the monotonic time source of the retry after a failed run, {@code System::nanoTime} outside tests
   */
  FireSchedules(Schedules schedules, Predicate<String> owns, BooleanSupplier readToEnd,
      Function<List<Work>, CompletableFuture<Void>> add, Predicate<String> knows, Clock clock, LongSupplier nanoTime) {
    this.schedules = schedules;
    this.owns = owns;
    this.readToEnd = readToEnd;
    this.add = add;
    this.knows = knows;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  @Override
  public void run() {
    if (!ready) {
      ready = readToEnd.getAsBoolean();
      if (!ready) {
        LOG.warn("the schedules were not read to their end yet; no schedule runs until they are");
        return;
      }
    }
    long nowNanos = nanoTime.getAsLong();
    List<Schedules.Due> dueNow = schedules.due(clock.instant(), owns);
    forgetRetriesNoLongerDue(dueNow);
    for (Schedules.Due due : dueNow) {
      String name = due.schedule().name();
      Retry retry = retryAt.get(name);
      if ((retry == null || retry.atNanos() - nowNanos <= 0) && inFlight.add(name)) {
        fire(due);
      }
    }
  }

  /** A run that failed, tried again at {@code atNanos} on {@link #nanoTime}. */
  private record Retry(Schedules.Due run, long atNanos) {}

  /** Drops the retries of runs not due any more: a deleted or redefined schedule does not keep the old one's wait. */
  private void forgetRetriesNoLongerDue(List<Schedules.Due> dueNow) {
    if (!retryAt.isEmpty()) {
      Set<Schedules.Due> runs = new HashSet<>(dueNow);
      retryAt.values().removeIf(r -> !runs.contains(r.run()));
    }
  }

  private void fire(Schedules.Due due) {
    Schedule s = due.schedule();
    String id = due.workId();
    CompletableFuture<Void> added;
    try {
      Work work = Work.create(s.data(), s.timeoutSeconds()).withQueue(s.queue()).withMaxAttempts(s.maxAttempts())
          .withId(id);
      added = add.apply(List.of(work));
    } catch (RuntimeException e) { // whatever it is, the schedule must not stay in flight for good
      added = CompletableFuture.failedFuture(e);
    }
    added.handle((ok, error) -> {
      Throwable cause = unwrap(error);
      // A conflict is a run already added only when its id is known: another one (a new queue past
      // GOWORK_MAX_QUEUES) is a failure, tried again, not a run to record.
      if (cause == null || (cause instanceof GoWorkException g && g.code() == ErrorCode.CONFLICT && knows.test(id))) {
        LOG.debug("schedule {} ran for {}: {} work {}", s.name(), due.at(), cause == null ? "added" : "knew", id);
        if (cause == null) {
          runs.increment();
        }
        return schedules.ran(due, id);
      }
      return CompletableFuture.<Void>failedFuture(cause);
    }).thenCompose(recorded -> recorded).whenComplete((ok, error) -> {
      if (error == null) {
        retryAt.remove(s.name());
      } else {
        retryAt.put(s.name(), new Retry(due, nanoTime.getAsLong() + RETRY_AFTER_NANOS));
        failures.increment();
        LOG.warn("schedule {} could not add or record its run for {} (tried again in {} s): {}", s.name(),
            due.at(), RETRY_AFTER_MS / 1000, unwrap(error).getMessage());
      }
      inFlight.remove(s.name());
    });
  }

  /** Runs whose work this coordinator added since it started. */
  long runs() {
    return runs.sum();
  }

  /** Tries of a run that failed to add its work or record the run (each tried again) since it started. */
  long failures() {
    return failures.sum();
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
