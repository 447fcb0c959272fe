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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calls that change state (cancel, requeue, revoke…) as the work server closes: each is either refused
 * before it changes anything, or runs to its commit; none is left changed in memory and failed. Over
 * HTTP, one under way as the HTTP service closes is answered.
 */
@ExtendWith(KafkaExtension.class)
class ChangesAtCloseTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CHANGE_THREAD = "test-change";
  private static final String CLOSING_THREAD = "test-http-close";

  /**
   * A cancel that had passed its checks when close() began changed the work table, then failed with 503
   * because close() had stopped the commits: its caller was told it failed while this coordinator said
   * the work was cancelled. Now close() refuses changes from its start and waits for those under way, so
   * the cancel is committed and answered as done; one asked for meanwhile is refused with nothing changed.
   */
  @Test
  void aCancelUnderWayWhenTheServerClosesIsCommitted(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, ChangesAtCloseTest::onTheChangesThread, WAIT.multipliedBy(2));
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
    PausingClock pause = new PausingClock(clock, ChangesAtCloseTest::onTheChangesThread, WAIT.multipliedBy(2));
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
    PausingClock pause = new PausingClock(clock, ChangesAtCloseTest::onTheChangesThread, WAIT.multipliedBy(2));
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
   * HttpService.close() waited 5 s for the requests in flight, then closed their connections (and 5 s later
   * interrupted its threads): a cancel still under way then (waiting for its commit while Kafka was slow)
   * was cut off, its caller saw a closed connection, and the cancel was usually committed anyway. Now the
   * service waits for the work server's changes under way before it closes the connections: the cancel is
   * answered as done.
   */
  @Test
  void aCancelUnderWayWhenTheHttpServiceClosesIsAnswered(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, ChangesAtCloseTest::onTheChangesThread, WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Work work = server.createWork("x", 600);
    server.add(work);
    try (ServiceOnServer http = new ServiceOnServer(k, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(
          () -> http.post("/v1/work/" + work.id() + "/cancel", "{\"reason\":\"withdrawn\"}"));
      assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the cancel held");
      CompletableFuture<Void> closing = CompletableFuture.runAsync(http.service::close,
          r -> new Thread(r, CLOSING_THREAD).start());
      // Resumed once the close waits for the changes (the fix), or once the caller's call ended without it (before).
      Poll.until(() -> asked.isDone() || closeAwaitsChanges(), WAIT, "the close waiting, or the caller's call ended");
      pause.resume.countDown();
      closing.join();
      Object answer = asked.join();
      assertTrue(answer instanceof HttpResponse<?>, "the caller got no answer: " + answer);
      HttpResponse<?> r = (HttpResponse<?>) answer;
      assertEquals(200, r.statusCode(), r.toString());
      assertTrue(r.body().toString().contains("cancelled"), "answered as done: " + r.body());
    }
    assertEquals(WorkState.CANCELLED, server.status(work.id()).orElseThrow().state());
  }

  /** True when the HTTP service's close waits for the work server's changes under way. */
  private static boolean closeAwaitsChanges() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().equals(CLOSING_THREAD))
        .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("awaitChanges")));
  }

  /**
   * Runs {@code change} on its own thread, holds it at its first reading of the clock (just before it
   * changes the table), closes the server meanwhile, and lets it go on once the server refuses changes.
   *
   * @return what the change returned, or what it threw
   */
  private Object underWayAsTheServerCloses(PausingClock pause, Supplier<Object> change) throws Exception {
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

  /**
   * True on the change's thread, or, for a change asked over HTTP, within a change (its gate) on an
   * HTTP thread: where the server's clock holds the change's first reading.
   */
  private static boolean onTheChangesThread() {
    String name = Thread.currentThread().getName();
    return name.equals(CHANGE_THREAD) || name.startsWith("gowork-http-")
        && StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(frames -> frames.anyMatch(f -> f.getDeclaringClass() == ChangeGate.class));
  }
}
