package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.session.Session;
import dev.gowork.worker.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The time-dependent decisions, driven by a fake clock: deadlines, backoff, session renewal, retries. */
class PoliciesTest {
  final FakeClock clock = FakeClock.at("2026-11-28T10:00:00Z");

  @Test
  void deadlineSignalsThenInterruptsAfterTheGrace() {
    Instant deadline = clock.instant().plusSeconds(10);
    Duration grace = Duration.ofSeconds(2);
    assertEquals(DeadlinePolicy.NONE, DeadlinePolicy.decide(deadline, grace, clock.instant(), null));
    assertEquals(Duration.ofSeconds(10), DeadlinePolicy.untilNextCheck(deadline, grace, clock.instant(), null));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(DeadlinePolicy.SIGNAL, DeadlinePolicy.decide(deadline, grace, clock.instant(), null));
    assertEquals(DeadlinePolicy.NONE, DeadlinePolicy.decide(deadline, grace, clock.instant(), Duration.ZERO));
    assertEquals(DeadlinePolicy.NONE, DeadlinePolicy.decide(deadline, grace, clock.instant(), Duration.ofMillis(1999)));
    assertEquals(DeadlinePolicy.INTERRUPT, DeadlinePolicy.decide(deadline, grace, clock.instant(), grace));
    assertEquals(Duration.ofMillis(500), DeadlinePolicy.untilNextCheck(deadline, grace, clock.instant(),
        Duration.ofMillis(1500)));
  }

  /** The grace runs from the signal: the wall clock stepped back below the deadline does not put the interrupt off. */
  @Test
  void theGraceAfterTheDeadlineSignalIgnoresTheWallClock() {
    Instant deadline = clock.instant();
    Duration grace = Duration.ofSeconds(2);
    Instant steppedBack = deadline.minus(Duration.ofMinutes(10));
    assertEquals(DeadlinePolicy.INTERRUPT, DeadlinePolicy.decide(deadline, grace, steppedBack, grace));
    assertEquals(Duration.ofSeconds(1), DeadlinePolicy.untilNextCheck(deadline, grace, steppedBack,
        Duration.ofSeconds(1)));
  }

  @Test
  void resultsWaitingAloneInALaneAreRenewedTogetherAtHalfTheLockUntilTheirDeadline() {
    Duration lock = Duration.ofSeconds(30);
    Instant t = clock.instant();
    long n = Long.MAX_VALUE - seconds(20); // System.nanoTime may wrap around
    Held early = waiting(n, Duration.ofMinutes(1));
    Held later = waiting(n + seconds(10), Duration.ofMinutes(5));
    List<Held> writing = List.of(early, later);
    assertEquals(List.of(), Lane.dueForRenewal(writing, lock, t.plusSeconds(14), n + seconds(14)));
    assertEquals(writing, Lane.dueForRenewal(writing, lock, t.plusSeconds(15), n + seconds(15)), "the earliest is due");
    early.lockRefreshedNanos = n + seconds(15);
    later.lockRefreshedNanos = n + seconds(15);
    assertEquals(List.of(), Lane.dueForRenewal(writing, lock, t.plusSeconds(29), n + seconds(29)));
    assertEquals(writing, Lane.dueForRenewal(writing, lock, t.plusSeconds(60), n + seconds(60)),
        "past its deadline, the first is renewed with the second (a record left out fails the lane's next poll)");
    assertEquals(List.of(), Lane.dueForRenewal(writing, lock, t.plusSeconds(301), n + seconds(301)),
        "past every deadline, all are left to run out");
    later.lockLost = true;
    assertEquals(List.of(), Lane.dueForRenewal(writing, lock, t.plusSeconds(60), n + seconds(60)));
  }

  /** The half lock runs on the monotonic source from the lock's last refresh; deadlines on the clock. */
  @Test
  void aLockIsRenewedAtHalfItsDurationWhicheverWayTheWallClockSteps() {
    Duration lock = Duration.ofSeconds(30);
    Instant t = clock.instant();
    long n = -seconds(5);
    Held h = waiting(n, Duration.ofMinutes(5));
    assertEquals(Duration.ofSeconds(15), h.untilHalfLock(lock, n));
    assertEquals(Duration.ofSeconds(-1), h.untilHalfLock(lock, n + seconds(16)));
    Instant steppedBack = t.minus(Duration.ofMinutes(10));
    assertEquals(List.of(h), Lane.dueForRenewal(List.of(h), lock, steppedBack.plusSeconds(15), n + seconds(15)),
        "due although the wall clock stepped back past half the lock");
    assertEquals(List.of(), Lane.dueForRenewal(List.of(h), lock, t.plus(Duration.ofMinutes(4)), n + seconds(14)),
        "not due early although the wall clock stepped forward");
    assertEquals(List.of(), Lane.dueForRenewal(List.of(h), lock, t.plus(Duration.ofMinutes(6)), n + seconds(15)),
        "past the deadline on the wall clock, not renewed");
  }

  @Test
  void aRecordOutForRenewIsPresumedLostAfterThePatienceOrTwoMorePollsThatBroughtBackOthersAndATenthOfIt() {
    Duration patience = Duration.ofSeconds(30);
    long sent = Long.MAX_VALUE - 1_000; // System.nanoTime may wrap around
    assertFalse(Renewals.presumedLost(sent, 0, sent, patience));
    assertFalse(Renewals.presumedLost(sent, 1, sent, patience), "it may come back in a later poll");
    assertFalse(Renewals.presumedLost(sent, 1 + Renewals.FURTHER_POLLS_FOR_STRAGGLERS - 1,
        sent + patience.toNanos() - 1, patience));
    long share = patience.toNanos() / Renewals.STRAGGLER_WAIT_SHARE_OF_PATIENCE;
    assertFalse(Renewals.presumedLost(sent, 1 + Renewals.FURTHER_POLLS_FOR_STRAGGLERS, sent + share - 1, patience),
        "polls missed in quick succession: not yet");
    assertTrue(Renewals.presumedLost(sent, 1 + Renewals.FURTHER_POLLS_FOR_STRAGGLERS, sent + share, patience));
    assertTrue(Renewals.presumedLost(sent, 0, sent + patience.toNanos(), patience), "the patience ran out");
  }

  /** A record acquired at {@code acquiredNanos} whose work is due {@code timeout} after now. */
  private Held waiting(long acquiredNanos, Duration timeout) {
    dev.gowork.broker.wire.WorkEnvelope work = dev.gowork.worker.testing.Works.work("q",
        dev.gowork.worker.testing.Works.data(), clock.instant(), timeout);
    return new Held(null, new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", 0, 0, "k", new byte[0]), work, 1,
        new RunContext(work, 1, clock), acquiredNanos);
  }

  private static long seconds(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void backoffDoublesUpToItsCap() {
    Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L),
        List.of(1, 2, 3, 4, 5, 6, 50).stream().map(n -> b.delay(n).toMillis()).toList());
  }

  @Test
  void sessionIsRenewedAtEightyPercentOfItsLife() {
    Session s = new Session("w-1", "a2V5a2V5a2V5a2V5a2V5a2V5", clock.instant(), clock.instant().plusSeconds(600),
        null, null);
    assertEquals(Duration.ofSeconds(480), RenewSession.untilRenewal(s, clock.instant()));
    clock.advance(Duration.ofSeconds(500));
    assertEquals(Duration.ZERO, RenewSession.untilRenewal(s, clock.instant()));
  }

  @Test
  void handshakeIsRetriedWhileUnavailableWithBackoffThenGivenUp() {
    List<Duration> waits = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    RetryingHandshake r = new RetryingHandshake(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new GoWorkException(ErrorCode.UNAVAILABLE, "connection refused");
      }
      return new Session("w-1", "a2V5a2V5a2V5a2V5a2V5a2V5", clock.instant(), clock.instant().plusSeconds(60), null, null);
    }, 5, Backoff.defaults(), waits::add);
    assertEquals("w-1", r.authenticate().workerId());
    assertEquals(List.of(Duration.ofMillis(200), Duration.ofMillis(400)), waits);

    RetryingHandshake never = new RetryingHandshake(() -> {
      throw new GoWorkException(ErrorCode.RATE_LIMITED, "slow down");
    }, 3, Backoff.defaults(), d -> { });
    GoWorkException e = assertThrows(GoWorkException.class, never::authenticate);
    assertEquals("gave up after 3 attempts (GOWORK_HANDSHAKE_ATTEMPTS): slow down", e.getMessage());
    RetryingHandshake once = new RetryingHandshake(() -> {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "connection refused");
    }, 1, Backoff.defaults(), d -> { });
    assertEquals("gave up after 1 attempt (GOWORK_HANDSHAKE_ATTEMPTS): connection refused",
        assertThrows(GoWorkException.class, once::authenticate).getMessage());
  }

  @Test
  void aRefusedSecretIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    RetryingHandshake r = new RetryingHandshake(() -> {
      calls.incrementAndGet();
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "check GOWORK_SECRET");
    }, 10, Backoff.defaults(), d -> { });
    assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, r::authenticate).code());
    assertEquals(1, calls.get());
  }
}
