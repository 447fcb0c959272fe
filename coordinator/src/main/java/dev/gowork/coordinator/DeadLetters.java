package dev.gowork.coordinator;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.retry.Republisher;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.WorkRef;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's requeue and delete of dead letters (work whose every attempt failed). A requeue
 * revives the item with a fresh deadline and publishes its payload again, read back from its last
 * record; one that cannot be published now is planned for republication. Dead letters another
 * coordinator owns are requeued or deleted by it ({@link ForwardToOwner}).
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private final WorkTable table;
  private final ForwardToOwner forward;
  private final Republisher republisher;
  private final TimeoutTracker timeouts;
  private final RetryPlan retries;
  private final Journal journal;
  private final Clock clock;

  DeadLetters(WorkTable table, ForwardToOwner forward, Republisher republisher, TimeoutTracker timeouts,
      RetryPlan retries, Journal journal, Clock clock) {
    this.table = table;
    this.forward = forward;
    this.republisher = republisher;
    this.timeouts = timeouts;
    this.retries = retries;
    this.journal = journal;
    this.clock = clock;
  }

  /** {@link WorkServer#requeue}. */
  void requeue(String workId) {
    // The payload first: one that Kafka's retention deleted can never be published again, and a requeue
    // that revived the item anyway left it queued for nobody (no longer listed, no longer requeueable)
    // until its new deadline timed it out. Refused here, the dead letter stays as it was.
    WorkEnvelope payload = table.ref(workId)
        .filter(r -> table.status(workId).map(s -> s.state() == WorkState.DEAD).orElse(false))
        .map(republisher::payload).orElse(null);
    if (forward.enabled() && !table.owns(workId)) {
      forward.requeue(workId);
      return;
    }
    WorkRef ref = table.revive(workId, clock.millis());
    timeouts.track(workId, ref.deadline().toEpochMilli());
    try {
      if (payload == null) {
        republisher.republish(ref);
      } else {
        republisher.publish(ref, payload);
      }
    } catch (GoWorkException e) {
      // Revived already (and journaled): publish it when Kafka answers again, as a forwarded requeue is.
      retries.scheduleRepublish(workId, ref.attempt(), clock.millis());
      throw e;
    }
    table.republished(workId, ref.attempt());
    journal.flushAndWait();
  }

  /** {@link WorkServer#deleteDead}. */
  void delete(String workId) {
    if (forward.enabled() && !table.owns(workId)) {
      forward.deleteDead(workId);
      return;
    }
    table.discard(workId);
    journal.flushAndWait();
    LOG.info("dead letter {} deleted", workId);
  }
}
