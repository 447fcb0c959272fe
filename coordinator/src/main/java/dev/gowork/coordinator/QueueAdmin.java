package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.coordinator.queue.QueuePauses;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's changes to a whole queue: pausing and resuming it (a notice on the compacted
 * {@code <p>.queues}, answered once read back, so it has taken effect here), and cancelling its
 * unfinished work, the items other coordinators own sent to them ({@link ForwardToOwner}). The
 * caller has checked the queue name and the reason.
 */
final class QueueAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(QueueAdmin.class);
  private static final int CANCEL_CHUNK = 10_000;
  private final QueuePauses pauses;
  private final WorkTable table;
  private final ForwardToOwner forward;
  private final Journal journal;
  private final Clock clock;
  private final String queuesTopic;
  private final Duration sendTimeout;
  private final Consumer<String> prepareQueue;
  private final BooleanSupplier catchUp;

  /**
   * @param sendTimeout how long a pause or resume may take to be read back from {@code queuesTopic}
   * @param prepareQueue prepares a queue before it is paused, refusing a new one past the queue limit
   * @param catchUp reads what other coordinators committed to {@code queuesTopic}; false when not in time
   */
  QueueAdmin(QueuePauses pauses, WorkTable table, ForwardToOwner forward, Journal journal, Clock clock,
      String queuesTopic, Duration sendTimeout, Consumer<String> prepareQueue, BooleanSupplier catchUp) {
    this.pauses = pauses;
    this.table = table;
    this.forward = forward;
    this.journal = journal;
    this.clock = clock;
    this.queuesTopic = queuesTopic;
    this.sendTimeout = sendTimeout;
    this.prepareQueue = prepareQueue;
    this.catchUp = catchUp;
  }

  /**
   * {@link WorkServer#pauseQueue} and {@link WorkServer#resumeQueue}. Each name written to the compacted
   * {@code queuesTopic} stays there, on every reader: a queue is prepared before it is paused, so
   * {@code GOWORK_MAX_QUEUES} bounds the paused names too, and resuming a queue that is not paused
   * writes nothing.
   */
  QueueNotice setPaused(String queue, boolean paused, String reason) {
    QueueNotice n = QueuePauses.notice(queue, paused, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
        reason == null || reason.isBlank() ? null : reason.strip());
    if (paused) {
      prepareQueue.accept(queue);
    } else if (leftAsItIs(queue)) {
      return n;
    }
    pauses.write(n);
    journal.flushAndWait();
    if (!pauses.awaitReadBack(n, sendTimeout)) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the change was committed, but not read back from "
          + queuesTopic + " within " + sendTimeout + "; it takes effect once it is");
    }
    LOG.info("queue {} {}{}", queue, paused ? "paused" : "resumed", n.reason() == null ? "" : ": " + n.reason());
    return n;
  }

  /**
   * Whether resuming {@code queue} writes nothing: it is not paused here, also once caught up with what
   * was committed to {@code queuesTopic}. Catching up does not cover a notice this coordinator wrote
   * itself and has not read back (a commit returns before the broker lets readers see it), so while one
   * is on its way, a resume is written.
   */
  boolean leftAsItIs(String queue) {
    return !pauses.isPaused(queue) && !pauses.awaitsReadBack(queue) && catchUp.getAsBoolean()
        && !pauses.isPaused(queue);
  }

  /** {@link WorkServer#cancelQueue}. */
  WorkServer.QueueCancellation cancelQueue(String queue, String reason) {
    int cancelled = 0;
    int notOwned = 0;
    int unflushed = 0;
    ForwardToOwner.QueueCancels forwarding = forward.queueCancels(reason);
    for (String id : table.unfinishedOf(queue)) {
      try {
        if (table.owns(id)) {
          table.cancel(id, reason, clock.millis());
          cancelled++;
        } else if (forward.enabled()) {
          forwarding.send(id);
        } else {
          notOwned++;
        }
      } catch (GoWorkException e) {
        if (e.code() != ErrorCode.CONFLICT && e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
        // it finished, or was forgotten or handed over, since the list was taken
      }
      // Bounded transactions: a queue of a million items is committed 10,000 changes at a time.
      if (++unflushed == CANCEL_CHUNK) {
        journal.flushAndWait();
        forwarding.await();
        unflushed = 0;
      }
    }
    journal.flushAndWait();
    forwarding.await();
    int forwarded = forwarding.sent();
    LOG.info("queue {}: {} unfinished items cancelled, {} sent to the coordinators that own them", queue, cancelled,
        forwarded);
    if (forwarding.notSent() > 0) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "queue " + queue + ": cancelled the " + cancelled
          + " unfinished items this coordinator owns and sent " + forwarded + " to the coordinators that own them, "
          + "but " + forwarding.notSent() + " items other coordinators own could not be sent to them ("
          + forwarding.failure() + "), so they may not be cancelled: cancel the queue again once Kafka answers",
          forwarding.failure());
    }
    if (notOwned > 0) {
      LOG.warn("queue {}: {} unfinished items are owned by other coordinators and were left as they are (this one has "
          + "no operator key to send them the cancel): cancel the queue on each coordinator too", queue, notOwned);
    }
    return new WorkServer.QueueCancellation(queue, cancelled, forwarded, notOwned);
  }
}
