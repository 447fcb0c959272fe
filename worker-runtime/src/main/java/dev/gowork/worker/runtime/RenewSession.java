package dev.gowork.worker.runtime;

import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.session.Handshake;
import dev.gowork.worker.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the session fresh: re-authenticates when {@value #RENEW_FRACTION} of its life has passed,
 * retries failures every {@link #RETRY} (the old session stays in use until it expires), and
 * re-authenticates on demand. Runs on its own scheduler thread; the current session is published
 * through an {@link AtomicReference} that the poll thread and the result publisher read.
 */
final class RenewSession implements Runnable {
  static final double RENEW_FRACTION = 0.8;
  static final Duration RETRY = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(RenewSession.class);

  private final Handshake handshake;
  private final AtomicReference<Session> current;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private ScheduledFuture<?> next;

  RenewSession(Handshake handshake, AtomicReference<Session> current, ScheduledExecutorService scheduler, Clock clock) {
    this.handshake = handshake;
    this.current = current;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** How long from {@code now} until the session should be renewed (zero when overdue). */
  static Duration untilRenewal(Session session, Instant now) {
    Duration d = Duration.between(now, session.renewAt(RENEW_FRACTION));
    return d.isNegative() ? Duration.ZERO : d;
  }

  synchronized void start() {
    schedule(untilRenewal(current.get(), clock.instant()));
  }

  /** Re-authenticates on the renewal thread as soon as it can (retrying as a due renewal does). */
  void renewSoon() {
    schedule(Duration.ZERO);
  }

  @Override
  public void run() {
    try {
      renewNow();
    } catch (GoWorkException | IllegalStateException e) {
      Session s = current.get();
      LOG.warn("re-authentication failed ({}); session of {} expires at {}; retrying in {} s", e.getMessage(),
          s.workerId(), s.expiresAt(), RETRY.toSeconds());
      schedule(RETRY);
    } catch (RuntimeException | Error e) {
      // Anything else (a custom Handshake's own exception, an Error) would end in the scheduler's
      // future, unseen, and no renewal would ever be scheduled again: the session would expire and
      // the replica would take no more work. Retry it as any failed renewal.
      Session s = current.get();
      LOG.error("re-authentication failed unexpectedly; session of {} expires at {}; retrying in {} s",
          s.workerId(), s.expiresAt(), RETRY.toSeconds(), e);
      schedule(RETRY);
    }
  }

  /**
   * Re-authenticates now and reschedules.
   *
   * <p>Not synchronized: the handshake (retrying, it may take minutes while the coordinator is away)
   * must not hold the lock that {@link #renewSoon} takes, or a revoke notice would stop the thread that
   * follows {@code <p>.control} (cancellations and queue pauses) until it ends. Two renewals at once
   * (the schedule and {@code reauthenticate()}) each set a fresh session; the later one stays.
   *
   * @throws GoWorkException when the handshake fails (the old session stays)
   */
  Session renewNow() {
    Session fresh = handshake.authenticate();
    Session old = current.getAndSet(fresh);
    if (old != null && !Objects.equals(old.bootstrapServers(), fresh.bootstrapServers())) {
      LOG.warn("the coordinator now names Kafka {}; this replica keeps {} until restarted",
          fresh.bootstrapServers(), old.bootstrapServers());
    }
    schedule(untilRenewal(fresh, clock.instant()));
    return fresh;
  }

  private synchronized void schedule(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    try {
      next = scheduler.schedule(this, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      next = null;
    }
  }
}
