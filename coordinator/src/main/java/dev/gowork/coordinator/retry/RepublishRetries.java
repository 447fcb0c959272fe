package dev.gowork.coordinator.retry;

import dev.gowork.coordinator.work.WorkRef;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background duty: when a planned retry is due (on the injected clock), moves the item from
 * RETRY_WAIT back to QUEUED with the next attempt (fires {@code work_retry}) and publishes it again.
 * The state changes first, so a fast worker's result for the new attempt is never refused as early.
 * A retry whose record is not located yet, or whose publication fails (Kafka away), is put off by a
 * second, {@value #MAX_TRIES} times, then by {@value #LONG_PUT_OFF_MILLIS} ms at a time (on the monotonic
 * nanoTime: a step of the wall clock neither holds a put-off retry back nor hurries it), until it is
 * published or the item leaves the state it waits in (timed out at its deadline, cancelled, handed
 * over): a Kafka outage longer than the first put-offs must not leave queued work unpublished. A retry
 * whose bookkeeping throws (a bug, not Kafka) is put off the same way, not dropped.
 *
 * <p>A retry goes out only while the work table says that attempt waits for its publication, so a
 * second plan of the same retry (its results partition lost and gained back, say) publishes nothing,
 * and a publication that succeeded is never put off. A publication whose wait ran out is not sent
 * again while the producer still has it (it may reach Kafka later): the next try waits for it.
 *
 * <p>A round stops at the first publication that fails: while Kafka is away each one waits up to the
 * send timeout, so a thousand due retries would otherwise hold the task for a thousand timeouts before
 * the first one that could go. The retries not tried go back to the plan as they were (no try counted)
 * and are taken by the next round, after the failed one's put-off, so each round costs at most one
 * timeout while Kafka is away, and once it is back the next round publishes everything due.
 */
public final class RepublishRetries implements Runnable {
  static final int MAX_TRIES = 10;
  private static final long PUT_OFF_MILLIS = 1000;
  static final long LONG_PUT_OFF_MILLIS = 30_000;
  private static final Logger LOG = LoggerFactory.getLogger(RepublishRetries.class);

  private final RetryPlan plan;
  private final WorkTable table;
  private final Republisher republisher;
  private final Clock clock;
  private final LongSupplier nanoTime;
  /**
   * By work id, publications whose wait ran out (the producer keeps trying up to its delivery
   * timeout): the next try waits for that one instead of sending another copy. Task thread only.
   */
  private final Map<String, Unanswered> unanswered = new HashMap<>();

  /** @param nanoTime the monotonic time source of the put-offs, {@code System::nanoTime} outside tests */
  public RepublishRetries(RetryPlan plan, WorkTable table, Republisher republisher, Clock clock,
      LongSupplier nanoTime) {
    this.plan = plan;
    this.table = table;
    this.republisher = republisher;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  @Override
  public void run() {
    long now = clock.millis();
    long nowNanos = nanoTime.getAsLong();
    List<RetryPlan.Due> due = plan.due(now, nowNanos);
    for (int i = 0; i < due.size(); i++) {
      if (!retry(due.get(i), now, nowNanos)) {
        List<RetryPlan.Due> rest = due.subList(i + 1, due.size());
        if (!rest.isEmpty()) {
          LOG.info("{} more due retries wait for the next round: a publication just failed", rest.size());
          plan.putBack(rest);
        }
        return;
      }
    }
  }

  /** @return false when the publication failed (and was put off), true otherwise */
  private boolean retry(RetryPlan.Due d, long now, long nowNanos) {
    WorkRef ref;
    try {
      ref = requeue(d, now, nowNanos);
    } catch (RuntimeException e) {
      // A bug, not Kafka: put off as a failed publication is, not dropped (the item would wait, queued
      // and unpublished, for its deadline); the other due retries still go this round.
      LOG.warn("retry of work {} (attempt {}) failed unexpectedly", d.workId(), d.attempt(), e);
      putOff(d, d.attempt(), nowNanos, d.requeued(), e.toString());
      return true;
    }
    if (ref == null) {
      unanswered.remove(d.workId());
      return true;
    }
    Unanswered earlier = unanswered.remove(d.workId());
    Future<RecordMetadata> send = earlier != null && earlier.attempt() == ref.attempt() && !failed(earlier.send())
        ? earlier.send() : null;
    try {
      if (send == null) {
        send = republisher.send(ref);
      }
      republisher.await(send, d.workId());
    } catch (RuntimeException e) { // GoWorkException, or a KafkaException of a client
      if (send != null && !send.isDone()) {
        unanswered.put(d.workId(), new Unanswered(ref.attempt(), send));
      }
      putOff(d, ref.attempt(), nowNanos, true, e.getMessage());
      return false;
    }
    try {
      table.republished(d.workId(), ref.attempt());
    } catch (RuntimeException e) {
      // Published: putting it off would publish it twice. The table still says it waits for its
      // publication, so a restart publishes it again at worst.
      LOG.warn("work {} (attempt {}) was published again, but noting it failed", d.workId(), ref.attempt(), e);
    }
    return true;
  }

  /**
   * Moves the item back to QUEUED when it waits to retry (or to be released).
   *
   * @return what to publish; null when there is nothing to publish (now)
   */
  private WorkRef requeue(RetryPlan.Due d, long now, long nowNanos) {
    if (!table.owns(d.workId())) {
      return null; // another coordinator owns it now, and plans its retry
    }
    // Checked first for every retry: one whose move to QUEUED was done (by an earlier try that threw
    // after it) is published; one published already (a second plan of the same retry, e.g. after its
    // partition came back, or by the coordinator that owned it meanwhile) is not published twice.
    if (!table.awaitsRepublish(d.workId(), d.attempt())) {
      if (d.requeued()) {
        return null; // published already, or cancelled (or otherwise decided) while it was put off
      }
      Optional<WorkRef> ref = table.ref(d.workId());
      if (ref.isEmpty()) {
        return null;
      }
      if (!ref.get().located()) {
        putOff(d, d.attempt(), nowNanos, false, "its first publication is not acknowledged yet");
        return null;
      }
      if (!(d.release() ? table.released(d.workId(), now) : table.retried(d.workId(), d.attempt(), now))) {
        return null;
      }
    }
    return table.ref(d.workId()).orElse(null);
  }

  private static boolean failed(Future<RecordMetadata> send) {
    if (!send.isDone()) {
      return false;
    }
    try {
      send.get();
      return false;
    } catch (ExecutionException | CancellationException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** A publication whose wait ran out while the producer still had it (it may reach Kafka later). */
  private record Unanswered(int attempt, Future<RecordMetadata> send) {}

  /**
   * @param attempt the attempt the table holds for it (a release's is its work's first)
   * @param nowNanos when the round began, on the monotonic nanoTime: the put-off counts from then
   */
  private void putOff(RetryPlan.Due d, int attempt, long nowNanos, boolean requeued, String why) {
    int tries = d.tries() + 1;
    if (tries == MAX_TRIES) {
      LOG.warn("retry of work {} (attempt {}) failed {} times: {}; tried again every {} s until it is published or "
          + "its deadline passes", d.workId(), d.attempt(), tries, why, LONG_PUT_OFF_MILLIS / 1000);
    } else {
      LOG.info("retry of work {} put off: {}", d.workId(), why);
    }
    long wait = TimeUnit.MILLISECONDS.toNanos(tries >= MAX_TRIES ? LONG_PUT_OFF_MILLIS : PUT_OFF_MILLIS);
    plan.again(d, attempt, nowNanos + wait, requeued);
  }
}
