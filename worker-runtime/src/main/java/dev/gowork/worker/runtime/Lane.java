package dev.gowork.worker.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot: a share consumer that acquires up to {@code GOWORK_BATCH_SIZE} records per poll
 * ({@code max.poll.records}) and is polled only while the slot has nothing unacknowledged, or while a
 * RENEW waits for its record to come back. The records of a poll form the slot's queue: they run one
 * after another on one work thread ({@link RunBatch}); the head of the queue is the record running
 * (or about to), the one whose deadline and lock the poll thread watches. When a handler returns,
 * its record moves from the queue to the writing set until its result write ends, then it is
 * acknowledged. Acknowledgements ride on the lane's next poll (one share fetch per batch), or on a
 * commit when the lane will not poll soon.
 *
 * <p>Why one consumer per slot: in Kafka 4.4 a share consumer that holds a renewed record returns
 * nothing new until that record is finally acknowledged (its polls return only the renewed record),
 * and every record of a poll must be acknowledged before the next poll. A single consumer could thus
 * not refill free slots while a long handler runs. Per-slot consumers keep acquisition equal to free
 * slots, provided a busy lane's polls fetch nothing: a poll made while a RENEW is unconfirmed sends a
 * share fetch, and what it acquires waits in the buffer past its lock, so the lane polls for its
 * renewed records only once the broker has confirmed them ({@link #renewalsConfirmed}). The consumer
 * may still be fetching after the poll that acquired the slot's work, so what a lane polls after a
 * long wait is checked by RENEW before it runs ({@link #check}). Only the poll thread calls this
 * class; {@link #closeInBackground} hands the consumer over to a thread of its own for its last
 * commit and close.
 *
 * <p>(Past 400 lines for its comments, each a consumer rule whose breach once cost a lock or a slot;
 * the records out for RENEW are kept by {@link Renewals}.)
 */
final class Lane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  enum State { IDLE, BUSY, RENEWING }

  final int index;
  private final ShareConsumer<String, byte[]> consumer;
  private final Stats stats;
  /**
   * A monotonic time source ({@link System#nanoTime}), shared with {@link #renewing}: when a record's
   * lock was last refreshed must not move with the wall clock.
   */
  private final LongSupplier nanoTime;
  private State state = State.IDLE;
  private boolean ackPending;
  /** Until when (on {@link #nanoTime}) the lane skips polling after a failed poll. */
  private long pausedUntilNanos;
  private boolean closed;
  /** Records of the last poll whose handler has not returned; the head runs first. */
  private final ArrayDeque<Held> queue = new ArrayDeque<>();
  /** Records whose handler returned (or that were never run) while their result is being written. */
  private final List<Held> writing = new ArrayList<>();
  /** Records sent back with RENEW that have not come back yet; the lane is {@link State#RENEWING} while any is. */
  private final Renewals renewing;
  /** Records polled that run only once a RENEW has shown their lock to be ours ({@link #check}). */
  private final List<Held> checking = new ArrayList<>();
  /** Whether the RENEW of {@link #checking} is sent; when the check began, on {@link #nanoTime}. */
  private boolean checkSent;
  private long checkSinceNanos;
  /** Records acknowledged (not RENEW) whose answer has not reached {@link #onCommitted} yet. */
  private final Set<RecordKey> answersOwed = new HashSet<>();
  /**
   * When the lane last polled for new work (not {@link State#RENEWING}) and the poll returned, on
   * {@link #nanoTime}: what its consumer acquires after such a poll waits in its buffer until the next
   * one returns it.
   */
  private long lastTakeNanos;
  /** How long the records of the last poll for new work may have waited in the consumer's buffer. */
  private Duration mayHaveWaited = Duration.ZERO;

  Lane(int index, ShareConsumer<String, byte[]> consumer, Stats stats) {
    this(index, consumer, stats, System::nanoTime);
  }

  Lane(int index, ShareConsumer<String, byte[]> consumer, Stats stats, LongSupplier nanoTime) {
    this.index = index;
    this.consumer = consumer;
    this.stats = stats;
    this.nanoTime = nanoTime;
    this.renewing = new Renewals(nanoTime);
    this.pausedUntilNanos = nanoTime.getAsLong();
    this.lastTakeNanos = pausedUntilNanos;
    consumer.setAcknowledgementCommitCallback(this::onCommitted);
  }

  State state() {
    return state;
  }

  /** The record running or next to run in this slot, or null. */
  Held held() {
    return queue.peekFirst();
  }

  /** The records waiting behind the head (a copy). */
  List<Held> queued() {
    return new ArrayList<>(queue);
  }

  void subscribe(String topic) {
    consumer.subscribe(List.of(topic));
  }

  /** Polls without waiting; the acknowledgements made since the last poll ride on it. */
  ConsumerRecords<String, byte[]> poll() {
    return poll(Duration.ZERO);
  }

  /**
   * Polls, waiting up to {@code wait} for records to arrive; {@link #wakeup()} ends the wait early
   * (then nothing is returned).
   */
  ConsumerRecords<String, byte[]> poll(Duration wait) {
    ackPending = false;
    long now = nanoTime.getAsLong();
    ConsumerRecords<String, byte[]> records;
    try {
      records = consumer.poll(wait);
    } catch (WakeupException e) {
      return ConsumerRecords.empty();
    }
    // Only a poll that returned takes from the buffer: one that failed, or was woken before it looked,
    // left there what the consumer had acquired (counted as a take, a failed poll and the pause after it
    // made a stale copy look fresh, and it ran unchecked).
    if (state != State.RENEWING) {
      mayHaveWaited = Duration.ofNanos(now - lastTakeNanos);
      lastTakeNanos = now;
    }
    return records;
  }

  /**
   * How long the records returned by the last poll for new work may have waited in the consumer's
   * buffer: the time since the poll for new work before it. A share consumer may go on fetching after
   * the poll that acquired a slot's work (Kafka 4.4: one fetch asked for before that poll's records
   * arrived), and what it acquires then is returned only after the slot's work is done, maybe past
   * its lock.
   */
  Duration mayHaveWaited() {
    return mayHaveWaited;
  }

  /**
   * Ends a {@link #poll(Duration)} in progress on another thread; when none is, the lane's next
   * poll returns at once instead (the only call of this class that other threads may make).
   */
  void wakeup() {
    consumer.wakeup();
  }

  boolean isPaused() {
    return pausedUntilNanos - nanoTime.getAsLong() > 0;
  }

  /**
   * Skips polling for {@code d}, after a failed poll; timed on {@link #nanoTime}, since a step back of
   * the wall clock lengthened the pause by its size (a lane with records out for RENEW then never saw
   * them come back, and the lock of its running record ran out).
   */
  void pause(Duration d) {
    pausedUntilNanos = nanoTime.getAsLong() + d.toNanos();
  }

  /** Takes newly acquired records to run in this order. */
  void hold(List<Held> batch) {
    for (Held h : batch) {
      queue.addLast(h);
      stats.acquired();
    }
    if (!queue.isEmpty() && state == State.IDLE) {
      state = State.BUSY;
    }
  }

  /** Takes a newly acquired record that will not run (its result, e.g. timed out, is being written). */
  void holdWriting(Held h) {
    writing.add(h);
    stats.acquired();
  }

  /**
   * The handler of {@code h} returned and its result is being written: the next record of the queue
   * becomes the head. While {@code h} is being renewed the lane stays {@link State#RENEWING} (its
   * acknowledgement waits for it to come back). (It used to stay the head then, settled, where no
   * renewal looked at it again: a result that then waited for the session lost its lock.)
   */
  void handlerDone(Held h) {
    if (queue.remove(h)) {
      writing.add(h);
      if (queue.isEmpty() && state == State.BUSY) {
        state = State.IDLE;
      }
    }
  }

  /** The records whose result is being written, or waits for the session (a copy). */
  List<Held> writing() {
    return new ArrayList<>(writing);
  }

  /** True while records of the last poll are unacknowledged, so the lane must not poll. */
  boolean hasUnfinished() {
    return !queue.isEmpty() || !writing.isEmpty();
  }

  /** Acknowledges a record that is not held (rejected, or surplus). */
  void acknowledge(ConsumerRecord<String, byte[]> r, AcknowledgeType type) {
    try {
      consumer.acknowledge(r, type);
      ackPending = true;
      answersOwed.add(RecordKey.of(r));
    } catch (IllegalStateException | KafkaException e) {
      LOG.warn("lane {}: could not {} {}: {}", index, type, RecordKey.of(r), e.toString());
    }
  }

  /**
   * Ends {@code h} with a final acknowledgement: now, or when it returns from RENEW.
   *
   * @return false when {@code h} is not this lane's, or its acknowledgement was deferred
   */
  boolean finish(Held h, AcknowledgeType type) {
    if (renewing.isOut(h) && !h.lockLost) {
      h.deferredAck = type;
      return false;
    }
    if (!writing.remove(h) && !queue.remove(h)) {
      return false;
    }
    if (!h.lockLost) {
      acknowledge(h.record, type);
    }
    // While other records are out for RENEW the lane stays RENEWING: an idle lane with unacknowledged
    // records would never poll, and they would never come back.
    if (queue.isEmpty() && state != State.RENEWING) {
      state = State.IDLE;
    }
    stats.done();
    return true;
  }

  /**
   * Extends the locks of the lane's unacknowledged records: the head, once alone in the queue, and
   * those whose result is being written (one may wait long for a renewed session). They come back
   * from a later {@link #poll()}, which may be made only once every record of the last poll is
   * acknowledged: renewing the head alone had to wait for every such write, and while a result
   * waited for an expired session to be renewed, the head's lock ran out and its work ran twice.
   */
  void renew() {
    List<Held> unacknowledged = new ArrayList<>();
    unacknowledged.add(queue.peekFirst());
    writing.stream().filter(h -> !h.lockLost).forEach(unacknowledged::add);
    send(unacknowledged);
  }

  /**
   * Extends the locks of {@code results} (of {@link #writing()}) while nothing of the lane runs: they
   * come back from a later {@link #poll()}, as in {@link #renew()}.
   */
  void renewWriting(List<Held> results) {
    if (queue.isEmpty() && state == State.IDLE && !closed && writing.containsAll(results)) {
      send(results);
    }
  }

  /**
   * Which of a lane's results in {@code writing}, with nothing of the lane running, to renew at
   * {@code now} ({@code nowNanos} on the lane's monotonic source): all whose lock is still ours, once
   * one of them has reached half of {@code lock}, while the deadline of the work of one of them has not
   * passed; else none. Past the last deadline the coordinator times the work out and refuses its
   * results, so the locks are left to run out: the records go back to the group, whose next holder
   * reports them timed out without running them, instead of staying with a replica that cannot report
   * them (its session expired) for as long as that lasts. They are renewed together, never some of
   * them: the renewed records come back from the lane's next poll, which fails ("All records must be
   * acknowledged") while a record of the last fetch is left unacknowledged, so one left out past its
   * deadline lost its sibling's lock as well, and its slot.
   */
  static List<Held> dueForRenewal(List<Held> writing, Duration lock, Instant now, long nowNanos) {
    List<Held> ours = writing.stream().filter(h -> !h.lockLost).toList();
    boolean due = ours.stream().anyMatch(h -> !h.work.isExpired(now))
        && ours.stream().anyMatch(h -> h.halfLockPassed(lock, nowNanos));
    return due ? ours : List.of();
  }

  private void send(List<Held> records) {
    try {
      for (Held h : records) {
        consumer.acknowledge(h.record, AcknowledgeType.RENEW);
      }
      consumer.commitAsync();
      renewing.sent(records);
      state = State.RENEWING;
    } catch (IllegalStateException | KafkaException e) {
      LOG.warn("lane {}: could not renew the locks on {}: {}", index, records, e.toString());
      records.forEach(h -> h.lockLost = true);
    }
  }

  /**
   * Checks the lock of {@code batch}, just held, before it runs: polled after a long wait in the
   * consumer's buffer ({@link #mayHaveWaited}), its lock may have run out, and the broker handed it out
   * again. It goes back with RENEW ({@link #sendCheck}) and runs once it comes back, its lock
   * confirmed; a refused RENEW shows a copy whose lock ran out ({@link #checked}).
   */
  void check(List<Held> batch, Duration lock) {
    checking.addAll(batch);
    checkSent = false;
    checkSinceNanos = nanoTime.getAsLong();
    sendCheck(lock);
  }

  /**
   * Sends the RENEW of the records to check once every other acknowledgement of the lane is answered
   * (or half of {@code lock} has passed): the broker answers per partition, so a RENEW refused in the
   * request that carried the ACCEPT of the lane's last work failed that ACCEPT too, and the work,
   * still ours unseen, was handed out again when its lock ran out. Commits meanwhile, which sends
   * what is pending and has the answers delivered.
   */
  void sendCheck(Duration lock) {
    if (checking.isEmpty() || checkSent) {
      return;
    }
    if (!answersOwed.isEmpty()) {
      try {
        ackPending = false;
        consumer.commitAsync();
      } catch (KafkaException e) {
        LOG.debug("lane {}: commit failed while checking locks: {}", index, e.toString());
      }
    }
    if (answersOwed.isEmpty() || nanoTime.getAsLong() - checkSinceNanos >= lock.dividedBy(2).toNanos()) {
      checkSent = true;
      List<Held> held = checking.stream().filter(queue::contains).toList();
      if (!held.isEmpty()) { // none when released meanwhile (a shutdown); a RENEW of none would leave it RENEWING
        send(held);
      }
    }
  }

  /** Whether a lock check waits for the lane's other answers before its RENEW goes out ({@link #sendCheck}). */
  boolean checkWaiting() {
    return !checking.isEmpty() && !checkSent;
  }

  /**
   * The records whose check ({@link #check}) has ended, once none is out for RENEW: the lane's to run,
   * or, {@link Held#lockLost}, copies whose lock had run out, to be dropped unrun.
   */
  List<Held> checked() {
    if (checking.isEmpty() || !checkSent || state == State.RENEWING) {
      return List.of();
    }
    List<Held> ended = checking.stream().filter(queue::contains).toList();
    checking.clear();
    return ended;
  }

  /**
   * Handles a record polled while renewing: one of the lane's records coming back (its deferred
   * acknowledgement, if any, is applied now).
   *
   * <p>It may come back as a new delivery rather than renewed: when the RENEW came after the lock had
   * run out, the broker refuses it ({@link #onCommitted} then presumes the lock lost, during this very
   * poll) and hands the record out again, to this consumer too. Either way this consumer holds it now,
   * with a fresh lock, and it must be acknowledged: it is no longer lost. (Left marked lost, its final
   * acknowledgement was skipped, and every later poll of the lane failed with "All records must be
   * acknowledged": the slot took no work again.)
   *
   * @return true when {@code r} was one of the lane's unacknowledged records
   */
  boolean returned(ConsumerRecord<String, byte[]> r) {
    RecordKey key = RecordKey.of(r);
    Held held = queue.peekFirst();
    if (held == null || !held.key.equals(key)) {
      held = Stream.concat(queue.stream(), writing.stream()).filter(h -> h.key.equals(key))
          .findFirst().orElse(null);
    }
    if (held == null) {
      return false;
    }
    held.record = r;
    held.lockRefreshedNanos = nanoTime.getAsLong();
    held.lockLost = false;
    renewing.cameBack(held);
    if (!renewing.anyOut()) {
      state = queue.isEmpty() ? State.IDLE : State.BUSY;
    }
    if (held.deferredAck != null) {
      finish(held, held.deferredAck);
    }
    return true;
  }

  /**
   * After a poll (or a failed one): gives up on each renewed record presumed lost ({@link Renewals}),
   * and renews again those that came back while others are still out. The lane must keep polling for
   * those, and a poll fails ("All records must be acknowledged") while a record of the last poll is
   * unacknowledged: those that came back and still need their lock go out for RENEW again. (They
   * used to be given up at once, with their work still running here: the lock ran out and the work
   * ran again elsewhere.)
   */
  void checkRenewal(Duration patience) {
    List<Held> lost = renewing.presumedLost(patience);
    if (!lost.isEmpty()) {
      LOG.warn("lane {}: {} did not come back after RENEW; their locks are presumed lost", index, lost);
      loseLocks(lost);
    }
    List<Held> back = renewing.endPoll();
    if (renewing.anyOut()) {
      List<Held> again = back.stream().filter(h -> !h.lockLost && !renewing.isOut(h)
          && (queue.contains(h) || writing.contains(h))).toList();
      if (!again.isEmpty()) {
        send(again);
      }
    }
  }

  private void loseLocks(List<Held> lost) {
    for (Held h : lost) {
      h.lockLost = true;
      renewing.giveUp(h);
    }
    if (!renewing.anyOut()) {
      state = queue.isEmpty() ? State.IDLE : State.BUSY;
    }
    for (Held h : lost) {
      if (h.deferredAck != null) {
        finish(h, h.deferredAck);
      }
    }
  }

  /** The lock the broker reports for this consumer, if it said. */
  Optional<Integer> brokerLockMs() {
    return consumer.acquisitionLockTimeoutMs();
  }

  /**
   * Sends acknowledgements made since the last poll or commit, unless the lane is about to poll
   * (it has nothing unfinished and {@code willPoll}): then they ride on that poll.
   */
  void flush(boolean willPoll) {
    if (ackPending && !closed && (!willPoll || hasUnfinished())) {
      ackPending = false;
      try {
        consumer.commitAsync();
      } catch (KafkaException e) {
        LOG.warn("lane {}: commit failed: {}", index, e.toString());
      }
    }
  }

  private void finalCommit(Duration timeout) {
    try {
      try {
        consumer.commitSync(timeout);
      } catch (WakeupException late) {
        consumer.commitSync(timeout); // a wake-up meant for a poll that had returned already
      }
    } catch (KafkaException e) {
      LOG.warn("lane {}: final commit failed: {}", index, e.toString());
    }
  }

  /**
   * Whether the lane may poll for its renewed records: once the broker has confirmed every RENEW
   * out. A share consumer polled while a RENEW of its is unconfirmed sends a share fetch along with
   * it (Kafka 4.4), and what that fetch acquires waits in its buffer until the renewed records are
   * finally acknowledged, past its lock if a handler runs long: it goes back to the group with one
   * more delivery, to be acquired by the next busy lane's renewal, five times and the broker archives
   * it. Polled after the confirmation, the consumer hands the renewed records back without a fetch.
   * Confirmations reach the lane through its commit callback, which the consumer calls from its own
   * calls only: this commits (nothing new, or the acknowledgements made since the last poll) to have
   * them delivered. A refused RENEW ({@link #onCommitted}) is given up, no longer awaited.
   */
  boolean renewalsConfirmed() {
    if (renewing.allConfirmed()) {
      return true;
    }
    try {
      ackPending = false;
      consumer.commitAsync();
    } catch (KafkaException e) {
      LOG.debug("lane {}: commit failed while waiting for renewals: {}", index, e.toString());
    }
    return renewing.allConfirmed();
  }

  private void onCommitted(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
    offsets.forEach((p, answered) -> answersOwed.removeIf(k -> k.topic().equals(p.topic())
        && k.partition() == p.partition() && answered.contains(k.offset())));
    List<Held> answered = renewing.out().stream().filter(h -> offsets.entrySet().stream().anyMatch(e ->
        e.getKey().topic().equals(h.key.topic()) && e.getKey().partition() == h.key.partition()
            && e.getValue().contains(h.key.offset()))).toList();
    if (error == null) {
      answered.forEach(renewing::confirmed);
      return;
    }
    LOG.warn("lane {}: the broker refused acknowledgements {}: {}", index, offsets, error.toString());
    if (!answered.isEmpty()) {
      loseLocks(answered);
    }
  }

  /** Closes the consumer; unacknowledged records go back to the group. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  boolean isClosed() {
    return closed;
  }

  void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    closeConsumer(timeout);
  }

  /**
   * Marks the lane closed, then sends its acknowledgements and closes its consumer on a thread of
   * its own, both within {@code within} (the commit callback runs there too: it changes the lane only
   * for records out for RENEW, which a lane has only at the last close, while the poll thread waits),
   * so that a replica's lanes close at the same time: one after
   * another, at up to a commit and a close timeout each, four lanes that could not reach the broker
   * took 40 s to stop, past a pod's termination grace. Unacknowledged records go back to the group.
   *
   * @return the closing thread, or null when the lane was closed already
   */
  Thread closeInBackground(Duration within) {
    if (closed) {
      return null;
    }
    closed = true;
    Thread t = new Thread(() -> {
      long end = System.nanoTime() + within.toNanos();
      finalCommit(within);
      closeConsumer(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
    }, "gowork-close-lane-" + index);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void closeConsumer(Duration timeout) {
    try {
      consumer.close(timeout);
    } catch (KafkaException | IllegalStateException e) {
      LOG.warn("lane {}: close failed: {}", index, e.toString());
    }
  }
}
