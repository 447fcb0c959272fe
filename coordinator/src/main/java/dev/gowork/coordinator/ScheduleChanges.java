package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.ScheduleStatus;
import dev.gowork.coordinator.schedule.Schedules;
import dev.gowork.coordinator.state.Journal;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's changes to schedules: defining and deleting one, each committed to {@code <p>.schedules}
 * and answered once read back, so that it has taken effect here; and adding a schedule's work by hand.
 * The runs at a schedule's times are {@link FireSchedules}'.
 */
final class ScheduleChanges {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleChanges.class);
  private final Schedules schedules;
  private final Consumer<Work> add;
  private final Consumer<String> prepareQueue;
  private final Journal journal;
  private final Clock clock;
  private final String schedulesTopic;
  private final Duration sendTimeout;

  /**
   * @param add adds work as {@link WorkServer#add} does
   * @param prepareQueue prepares a schedule's queue at its definition, refusing one past the queue limit
   * @param sendTimeout how long a change may take to be read back from {@code schedulesTopic}
   */
  ScheduleChanges(Schedules schedules, Consumer<Work> add, Consumer<String> prepareQueue, Journal journal, Clock clock,
      String schedulesTopic, Duration sendTimeout) {
    this.schedules = schedules;
    this.add = add;
    this.prepareQueue = prepareQueue;
    this.journal = journal;
    this.clock = clock;
    this.schedulesTopic = schedulesTopic;
    this.sendTimeout = sendTimeout;
  }

  /**
   * {@link WorkServer#schedule}. Its queue is prepared first, so that a schedule for a new queue past
   * {@code GOWORK_MAX_QUEUES} is refused now, not at each of its runs; but not for a schedule refused
   * by {@link Schedules#MAX_SCHEDULES}, which must create no queue.
   */
  ScheduleStatus define(Schedule s) {
    java.time.Instant definedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    schedules.checkRoomFor(java.util.Objects.requireNonNull(s, "schedule").name());
    prepareQueue.accept(s.queue());
    schedules.define(s, definedAt);
    journal.flushAndWait();
    readSchedulesBack(s.name(), s, definedAt);
    ScheduleStatus now = schedules.get(s.name(), clock.instant()).orElseThrow(() -> new GoWorkException(
        ErrorCode.CONFLICT, "schedule " + s.name() + " was deleted at the same time as it was defined"));
    LOG.info("schedule {} defined; next run {}", s, now.nextRunAt());
    return now;
  }

  /** {@link WorkServer#unschedule}. */
  boolean delete(String name) {
    if (!schedules.delete(name)) {
      return false;
    }
    journal.flushAndWait();
    readSchedulesBack(name, null, null);
    LOG.info("schedule {} deleted", name);
    return true;
  }

  /** {@link WorkServer#runScheduleNow}. */
  String runNow(String name) {
    Schedule s = schedules.get(name, clock.instant()).map(ScheduleStatus::schedule).orElseThrow(() ->
        new GoWorkException(ErrorCode.NOT_FOUND, "no schedule named '" + (name.length() > 100 ? name.substring(0, 100)
            + "…" : name) + "'"));
    Work w = Work.create(s.data(), s.timeoutSeconds()).withQueue(s.queue()).withMaxAttempts(s.maxAttempts())
        .withId(s.name() + "@manual-" + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    add.accept(w);
    LOG.info("schedule {} run by hand: added work {}", name, w.id());
    return w.id();
  }

  /** What was just committed to {@code <p>.schedules} takes effect here once read back. */
  private void readSchedulesBack(String name, Schedule s, java.time.Instant definedAt) {
    if (!schedules.awaitReadBack(name, s, definedAt, sendTimeout)) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the change was committed, but not read back from "
          + schedulesTopic + " within " + sendTimeout + "; it takes effect once it is");
    }
  }
}
