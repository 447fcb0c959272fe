package dev.gowork.coordinator.timeout;

import java.time.Clock;
import java.util.List;
import java.util.function.ObjLongConsumer;

/**
 * Background duty run every few tens of milliseconds: hands each work id whose deadline has passed
 * (on the injected clock) to {@code expire}, which times it out unless it already finished. A tick
 * never throws: one failing item does not stop the others.
 */
public final class ExpireTimedOutWork implements Runnable {
  private static final int BATCH = 10_000;
  private final TimeoutTracker tracker;
  private final ObjLongConsumer<String> expire;
  private final Clock clock;

  /** @param expire called with (workId, now millis), e.g. {@code workTable::expire} */
  public ExpireTimedOutWork(TimeoutTracker tracker, ObjLongConsumer<String> expire, Clock clock) {
    this.tracker = tracker;
    this.expire = expire;
    this.clock = clock;
  }

  @Override
  public void run() {
    long now = clock.millis();
    List<String> due;
    do {
      due = tracker.due(now, BATCH);
      for (String id : due) {
        try {
          expire.accept(id, now);
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(ExpireTimedOutWork.class).warn("timing out work {} failed", id, e);
        }
      }
    } while (due.size() == BATCH);
  }
}
