package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calls that change state (cancel, requeue, revoke…) as the work server closes: each is either refused
 * before it changes anything, or runs to its commit; none is left changed in memory and failed.
 */
@ExtendWith(KafkaExtension.class)
class ChangesAtCloseTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CHANGE_THREAD = "test-change";

  /**
   * A cancel that had passed its checks when close() began changed the work table, then failed with 503
   * because close() had stopped the commits: its caller was told it failed while this coordinator said
   * the work was cancelled. Now close() refuses changes from its start and waits for those under way, so
   * the cancel is committed and answered as done; one asked for meanwhile is refused with nothing changed.
   */
  @Test
  void aCancelUnderWayWhenTheServerClosesIsCommitted(TestKafka k) throws Exception {
    PausesAChange pause = new PausesAChange(clock);
    start(k, b -> b.clock(pause)).start();
    Work work = server.createWork("x", 600);
    Work other = server.createWork("y", 600);
    server.addAll(java.util.List.of(work, other));

    Object outcome = underWayAsTheServerCloses(pause, () -> server.cancel(work.id(), "withdrawn"));

    assertEquals(WorkState.CANCELLED, assertInstanceOf(WorkStatus.class, outcome, "the cancel's outcome").state());
    assertEquals(WorkState.QUEUED, server.status(other.id()).orElseThrow().state(), "the refused cancel changed nothing");
    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    assertEquals(WorkState.CANCELLED, server.status(work.id()).orElseThrow().state(), "the cancel was committed");
    assertEquals(WorkState.QUEUED, server.status(other.id()).orElseThrow().state());
  }

  /** As for a cancel: a requeue of a dead letter under way as the server closes is committed, not half done. */
  @Test
  void aRequeueUnderWayWhenTheServerClosesIsCommitted(TestKafka k) throws Exception {
    PausesAChange pause = new PausesAChange(clock);
    start(k, b -> b.clock(pause)).start();
    Work work = deadLetter(worker(handshake()));

    Object outcome = underWayAsTheServerCloses(pause, () -> {
      server.requeue(work.id());
      return "requeued";
    });

    assertEquals("requeued", outcome);
    crashAndRestart(() -> { });
    assertEquals(WorkState.QUEUED, server.status(work.id()).orElseThrow().state(), "the requeue was committed");
  }

  /** As for a cancel: a worker's revocation under way as the server closes is committed, not half done. */
  @Test
  void aRevocationUnderWayWhenTheServerClosesIsCommitted(TestKafka k) throws Exception {
    PausesAChange pause = new PausesAChange(clock);
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();

    Object outcome = underWayAsTheServerCloses(pause, () -> {
      server.workers().revoke(s.workerId());
      return "revoked";
    });

    assertEquals("revoked", outcome);
    crashAndRestart(() -> { });
    assertFalse(server.workers().authenticate(s.workerId(), s.sessionKey()), "the revocation was committed");
  }

  /**
   * Runs {@code change} on its own thread, holds it at its first reading of the clock (just before it
   * changes the table), closes the server meanwhile, and lets it go on once the server refuses changes.
   *
   * @return what the change returned, or what it threw
   */
  private Object underWayAsTheServerCloses(PausesAChange pause, Supplier<Object> change) throws Exception {
    CompletableFuture<Object> changing = CompletableFuture.supplyAsync(() -> {
      try {
        return change.get();
      } catch (GoWorkException e) {
        return e;
      }
    }, r -> new Thread(r, CHANGE_THREAD).start());
    assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the change held");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Poll.until(this::changesRefused, WAIT, "changes refused: the server is closing");
    pause.resume.countDown();
    closing.join();
    return changing.join();
  }

  /** True once a cancel is refused as the server closes (before, it got as far as finding no such work). */
  private boolean changesRefused() {
    GoWorkException e = assertThrows(GoWorkException.class, () -> server.cancel("no-such-work", null));
    if (e.code() == ErrorCode.NOT_FOUND) {
      return false;
    }
    assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
    assertInstanceOf(ClosingException.class, e);
    return true;
  }

  private Work deadLetter(TestWorker worker) {
    Work work = server.createWork("doomed", 600).withMaxAttempts(2);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    clock.advance(Duration.ofSeconds(1));
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "second");
    log.await(EventType.WORK_DEAD, work.id());
    return work;
  }

  /** The server's clock, which holds the first reading made on the change's thread until the test resumes it. */
  private static final class PausesAChange extends Clock {
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch resume = new CountDownLatch(1);
    private final AtomicBoolean paused = new AtomicBoolean();
    private final Clock base;

    PausesAChange(Clock base) {
      this.base = base;
    }

    @Override
    public long millis() {
      pauseIfTheChange();
      return base.millis();
    }

    @Override
    public Instant instant() {
      pauseIfTheChange();
      return base.instant();
    }

    private void pauseIfTheChange() {
      if (Thread.currentThread().getName().equals(CHANGE_THREAD) && paused.compareAndSet(false, true)) {
        held.countDown();
        try {
          resume.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public ZoneId getZone() {
      return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
