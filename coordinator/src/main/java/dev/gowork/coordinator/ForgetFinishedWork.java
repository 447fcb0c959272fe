package dev.gowork.coordinator;

import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background task {@code ForgetFinishedWork}: forgets finished work older than its retention or beyond
 * the newest kept, and likewise dead letters (counted, and logged).
 */
final class ForgetFinishedWork implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ForgetFinishedWork.class);
  private final WorkTable table;
  private final Clock clock;
  private final Duration finishedRetention;
  private final int finishedKept;
  private final Duration deadRetention;
  private final int deadKept;
  private final LongAdder deadForgotten = new LongAdder();

  ForgetFinishedWork(WorkTable table, Clock clock, Duration finishedRetention, int finishedKept, Duration deadRetention,
      int deadKept) {
    this.table = table;
    this.clock = clock;
    this.finishedRetention = finishedRetention;
    this.finishedKept = finishedKept;
    this.deadRetention = deadRetention;
    this.deadKept = deadKept;
  }

  @Override
  public void run() {
    long now = clock.millis();
    table.forgetFinished(now - finishedRetention.toMillis(), finishedKept);
    int dead = table.forgetDead(now - deadRetention.toMillis(), deadKept);
    if (dead > 0) {
      deadForgotten.add(dead);
      LOG.info("forgot {} dead letters that died over {} ago or were beyond the newest {}", dead, deadRetention,
          deadKept);
    }
  }

  /** Dead letters forgotten since start. */
  long deadForgotten() {
    return deadForgotten.sum();
  }
}
