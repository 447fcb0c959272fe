package dev.gowork.coordinator;

import dev.gowork.coordinator.queue.TakeNextWork;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background task {@code CloseIdleHandouts}: closes the hand-out consumer of a queue no HTTP worker
 * asked work of for {@code idle}, so that it leaves the queue's share group and the Kafka workers get
 * its partitions back. The next {@code get} of the queue opens one again.
 */
final class CloseIdleHandouts implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CloseIdleHandouts.class);
  private final TakeNextWork taker;
  private final Duration idle;

  CloseIdleHandouts(TakeNextWork taker, Duration idle) {
    this.taker = taker;
    this.idle = idle;
  }

  @Override
  public void run() {
    for (String queue : taker.closeIdle(idle)) {
      LOG.info("no HTTP worker asked for work of queue '{}' for {}: the coordinator's hand-out consumer left its "
          + "share group, and the Kafka workers get its partitions back", queue, idle);
    }
  }
}
