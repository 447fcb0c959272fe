package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A hand-out over HTTP ({@code get}) as the work server closes. */
@ExtendWith(KafkaExtension.class)
class HandoutAtCloseTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * close() stopped committing the state (the results loop and its transactional writer) before it
   * stopped the hand-outs: a get() that had taken (ACCEPTed) its record as the server closed marked it
   * running in memory only, so after a restart the item was queued with no record left for any worker
   * to take, stranded until its deadline. Now close() refuses new hand-outs and waits for those under
   * way before it stops committing.
   */
  @Test
  void aHandOutUnderWayWhenTheServerClosesHasItsRunningStateCommitted(TestKafka k) throws Exception {
    PausesAfterATake pause = new PausesAfterATake(clock);
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    CompletableFuture<WorkEnvelope> handedOut = CompletableFuture.supplyAsync(() -> Poll.until(
        () -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "the work handed out"));
    assertTrue(pause.taken.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a record taken");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Poll.until(() -> refused(s), WAIT, "get refused: the server is closing");
    pause.resume.countDown();
    closing.join();
    assertEquals(work.id(), handedOut.join().workId(), "the worker has the work");

    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    assertEquals(WorkState.RUNNING, server.status(work.id()).orElseThrow().state(),
        "its running state was committed before the server closed");
  }

  private boolean refused(Session s) {
    try {
      server.get(s.workerId(), s.sessionKey());
      return false;
    } catch (GoWorkException e) {
      assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
      return true;
    }
  }

  /**
   * The server's clock, which holds the first hand-out that took a record (its first reading of the
   * clock is made right after the take, before it marks the work running) until the test resumes it.
   */
  private static final class PausesAfterATake extends Clock {
    final CountDownLatch taken = new CountDownLatch(1);
    final CountDownLatch resume = new CountDownLatch(1);
    private final AtomicBoolean paused = new AtomicBoolean();
    private final Clock base;

    PausesAfterATake(Clock base) {
      this.base = base;
    }

    @Override
    public long millis() {
      pauseIfAHandout();
      return base.millis();
    }

    @Override
    public Instant instant() {
      pauseIfAHandout();
      return base.instant();
    }

    private void pauseIfAHandout() {
      Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(
          frames -> frames.map(StackWalker.StackFrame::getDeclaringClass).filter(c -> c != PausesAfterATake.class)
              .findFirst().orElseThrow());
      if (caller == Handout.class && paused.compareAndSet(false, true)) {
        taken.countDown();
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
