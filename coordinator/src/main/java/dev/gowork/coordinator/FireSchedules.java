package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.Schedules;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
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
 * add that fails (Kafka away) is tried again at the next tick; one run of a schedule is in flight at a
 * time.
 */
final class FireSchedules implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(FireSchedules.class);
  private final Schedules schedules;
  private final Predicate<String> owns;
  private final BooleanSupplier readToEnd;
  private final Intake intake;
  private final Clock clock;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private boolean ready;

  /** @param readToEnd true once the schedules topic was read to its end (may wait a while) */
  FireSchedules(Schedules schedules, Predicate<String> owns, BooleanSupplier readToEnd, Intake intake, Clock clock) {
    this.schedules = schedules;
    this.owns = owns;
    this.readToEnd = readToEnd;
    this.intake = intake;
    this.clock = clock;
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
    for (Schedules.Due due : schedules.due(clock.instant(), owns)) {
      if (inFlight.add(due.schedule().name())) {
        fire(due);
      }
    }
  }

  private void fire(Schedules.Due due) {
    Schedule s = due.schedule();
    String id = due.workId();
    Work work = Work.create(s.data(), s.timeoutSeconds()).withQueue(s.queue()).withMaxAttempts(s.maxAttempts())
        .withId(id);
    CompletableFuture<Void> added;
    try {
      added = intake.addAllAsync(List.of(work));
    } catch (GoWorkException e) {
      added = CompletableFuture.failedFuture(e);
    }
    added.whenComplete((ok, error) -> {
      try {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null || (cause instanceof GoWorkException g && g.code() == ErrorCode.CONFLICT)) {
          schedules.ran(due, id);
          if (cause == null) {
            LOG.debug("schedule {} ran for {}: added work {}", s.name(), due.at(), id);
          }
        } else {
          LOG.warn("schedule {} could not add its work for {} (tried again in a moment): {}", s.name(), due.at(),
              cause.getMessage());
        }
      } finally {
        inFlight.remove(s.name());
      }
    });
  }
}
