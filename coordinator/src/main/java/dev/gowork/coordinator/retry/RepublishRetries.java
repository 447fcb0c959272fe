package dev.gowork.coordinator.retry;

import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.work.WorkRef;
import dev.gowork.coordinator.work.WorkTable;
import dev.gowork.coordinator.work.WorkState;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background duty: when a planned retry is due (on the injected clock), moves the item from
 * RETRY_WAIT back to QUEUED with the next attempt (fires {@code work_retry}) and publishes it again.
 * The state changes first, so a fast worker's result for the new attempt is never refused as early.
 * A retry whose record is not located yet, or whose publication fails, is put off by a second, up to
 * {@value #MAX_TRIES} times; after that the item is left to time out.
 */
public final class RepublishRetries implements Runnable {
  static final int MAX_TRIES = 10;
  private static final long PUT_OFF_MILLIS = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(RepublishRetries.class);

  private final RetryPlan plan;
  private final WorkTable table;
  private final Republisher republisher;
  private final Clock clock;

  public RepublishRetries(RetryPlan plan, WorkTable table, Republisher republisher, Clock clock) {
    this.plan = plan;
    this.table = table;
    this.republisher = republisher;
    this.clock = clock;
  }

  @Override
  public void run() {
    long now = clock.millis();
    for (RetryPlan.Due d : plan.due(now)) {
      try {
        retry(d, now);
      } catch (RuntimeException e) {
        LOG.warn("retry of work {} failed", d.workId(), e);
      }
    }
  }

  private void retry(RetryPlan.Due d, long now) {
    if (!table.owns(d.workId())) {
      return; // another coordinator owns it now, and plans its retry
    }
    Optional<WorkRef> ref = table.ref(d.workId());
    if (ref.isEmpty()) {
      return;
    }
    if (!d.requeued()) {
      if (!ref.get().located()) {
        putOff(d, now, false, "its first publication is not acknowledged yet");
        return;
      }
      if (!(d.release() ? table.released(d.workId(), now) : table.retried(d.workId(), d.attempt(), now))) {
        return;
      }
      ref = table.ref(d.workId());
    } else if (table.status(d.workId()).map(s -> s.state() != WorkState.QUEUED).orElse(true)) {
      return; // cancelled (or otherwise decided) while its publication was put off
    }
    try {
      republisher.republish(ref.orElseThrow());
      table.republished(d.workId(), ref.get().attempt());
    } catch (GoWorkException e) {
      putOff(d, now, true, e.getMessage());
    }
  }

  private void putOff(RetryPlan.Due d, long now, boolean requeued, String why) {
    if (d.tries() + 1 >= MAX_TRIES) {
      LOG.error("giving up retrying work {} (attempt {}): {}; it will time out", d.workId(), d.attempt(), why);
      return;
    }
    LOG.info("retry of work {} put off: {}", d.workId(), why);
    plan.again(d, now + PUT_OFF_MILLIS, requeued);
  }
}
