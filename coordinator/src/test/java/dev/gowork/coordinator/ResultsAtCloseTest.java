package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Progress;
import dev.gowork.coordinator.work.WorkState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An HTTP worker's result or progress report ({@code submit}, {@code reportProgress}) as the work server or
 * the HTTP service closes: each is either refused with nothing published (503, "closing"), or published and
 * answered as taken; none is cut off or failed while its record went to {@code <p>.results}.
 */
@ExtendWith(KafkaExtension.class)
class ResultsAtCloseTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SUBMIT_THREAD = "test-submit";
  private static final String CLOSING_THREAD = "test-closing";

  /**
   * A submit that had checked the server was open when close() began went on to publish while close()
   * closed the producer: it failed with "Cannot perform operation after producer has been closed" (over
   * HTTP a 500, "internal error", and an ERROR with a stack trace in the log). Now close() waits for it as
   * for the other changes: the result is published and the submit returns; one made meanwhile is refused.
   */
  @Test
  void aResultUnderWayWhenTheServerClosesIsPublished(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, ResultsAtCloseTest::signingForACaller, WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    CompletableFuture<Object> submitting = CompletableFuture.supplyAsync(() -> {
      try {
        server.submit(s.workerId(), s.sessionKey(), completed(work));
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    }, r -> new Thread(r, SUBMIT_THREAD).start());
    assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the submit held");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close,
        r -> new Thread(r, CLOSING_THREAD).start());
    // Resumed once the close waits for it (the fix), or once the close has ended without waiting (before).
    Poll.until(() -> closing.isDone() || closingWaitsIn("awaitNone"), WAIT, "the close waiting, or ended");
    ClosingException refused = assertThrows(ClosingException.class,
        () -> server.submit(s.workerId(), s.sessionKey(), completed(work)), "a result sent as the server closes");
    assertEquals(ErrorCode.UNAVAILABLE, refused.code());
    pause.resume.countDown();
    closing.join();
    assertNull(submitting.join(), "the submit under way was taken");

    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    Poll.until(() -> server.status(work.id()).orElseThrow().state() == WorkState.COMPLETED, WAIT,
        "the result applied by the next server");
  }

  /**
   * POST /v1/work/{id}/result was not among the changes the HTTP service's close waited for: one still
   * publishing 5 s into the close (Kafka slow) had its connection closed, so its worker saw no answer, while
   * its result was published and applied anyway. Now the service waits for it: the worker gets 202.
   */
  @Test
  void aResultUnderWayWhenTheHttpServiceClosesIsAnswered(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, ResultsAtCloseTest::signingForACaller, WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    Object answer = underWayAsTheServiceCloses(pause, http -> http.postAsWorker(s, "/v1/work/" + work.id()
        + "/result", "{\"workId\":\"" + work.id() + "\",\"attempt\":1,\"status\":\"completed\",\"result\":\"done\"}"));

    Poll.until(() -> server.status(work.id()).orElseThrow().state() == WorkState.COMPLETED, WAIT, "the result applied");
    HttpResponse<?> r = assertInstanceOf(HttpResponse.class, answer, "the worker got no answer");
    assertEquals(202, r.statusCode(), r.toString());
  }

  /**
   * The HTTP service's close waited for the changes under way once, then gave the other requests 5 s: a
   * result whose request was still before the change gate then (its session being checked, a body read
   * slowly) entered it during those 5 s and, still publishing when they ran out (Kafka slow), had its
   * connection closed, while its result was published anyway. Now the close waits for such changes too.
   */
  @Test
  void aResultThatReachesTheGateDuringTheGraceIsAnswered(TestKafka k) throws Exception {
    PausingClock signing = new PausingClock(clock, ResultsAtCloseTest::signingForACaller, WAIT.multipliedBy(2));
    PausingClock checking = new PausingClock(signing, ResultsAtCloseTest::checkingAnHttpResultsSession,
        WAIT.multipliedBy(2));
    start(k, b -> b.clock(checking)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    try (ServiceOnServer http = new ServiceOnServer(kafka, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> http.postAsWorker(s, "/v1/work/"
          + work.id() + "/result", "{\"workId\":\"" + work.id() + "\",\"attempt\":1,\"status\":\"completed\"}"));
      assertTrue(checking.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the call held before the gate");
      CompletableFuture<Void> closing = CompletableFuture.runAsync(http.service::close,
          r -> new Thread(r, CLOSING_THREAD).start());
      Poll.until(() -> closingWaitsIn("sleep"), WAIT, "the close past its wait for the changes, in its grace");
      checking.resume.countDown();
      assertTrue(signing.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the call held in the gate, publishing");
      Poll.until(() -> closing.isDone() || closingWaitsIn("awaitChanges"), WAIT, "the close waiting, or ended");
      signing.resume.countDown();
      closing.join();
      Object answer = asked.join();
      HttpResponse<?> r = assertInstanceOf(HttpResponse.class, answer, "the worker got no answer");
      assertEquals(202, r.statusCode(), r.toString());
    }
    Poll.until(() -> server.status(work.id()).orElseThrow().state() == WorkState.COMPLETED, WAIT, "the result applied");
  }

  /** As for a result: a POST /v1/work/{id}/progress under way as the HTTP service closes is answered. */
  @Test
  void aProgressReportUnderWayWhenTheHttpServiceClosesIsAnswered(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, ResultsAtCloseTest::signingForACaller, WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    Object answer = underWayAsTheServiceCloses(pause, http -> http.postAsWorker(s, "/v1/work/" + work.id()
        + "/progress", "{\"attempt\":1,\"percent\":40,\"message\":\"halfway\"}"));

    Poll.until(() -> {
      Progress p = server.status(work.id()).orElseThrow().progress();
      return p != null && p.percent() == 40;
    }, WAIT, "the progress shown");
    HttpResponse<?> r = assertInstanceOf(HttpResponse.class, answer, "the worker got no answer");
    assertEquals(202, r.statusCode(), r.toString());
  }

  /**
   * Sends {@code call} over the HTTP service on the fixture's server, holds it just before it signs (and
   * publishes) the worker's record, closes the service meanwhile, and lets it go on once the close waits for
   * it (or once the caller's call has ended without that).
   *
   * @return the response, or the IOException the caller got instead
   */
  private Object underWayAsTheServiceCloses(PausingClock pause,
      Function<ServiceOnServer, Object> call) throws Exception {
    try (ServiceOnServer http = new ServiceOnServer(kafka, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> call.apply(http));
      assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the call held");
      CompletableFuture<Void> closing = CompletableFuture.runAsync(http.service::close,
          r -> new Thread(r, CLOSING_THREAD).start());
      Poll.until(() -> asked.isDone() || closingWaitsIn("awaitChanges"), WAIT, "the close waiting, or the call ended");
      pause.resume.countDown();
      closing.join();
      return asked.join();
    }
  }

  private static ResultEnvelope completed(Work work) {
    return new ResultEnvelope(work.id(), 1, ResultStatus.COMPLETED, null, null, null, 1);
  }

  /** True while the closing thread waits (not merely passes) in a method named {@code method}. */
  private static boolean closingWaitsIn(String method) {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().equals(CLOSING_THREAD))
        .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
        .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals(method)));
  }

  /** A worker's record signed for the test's submit or an HTTP call: the last step before it is published. */
  private static boolean signingForACaller() {
    String name = Thread.currentThread().getName();
    return (name.equals(SUBMIT_THREAD) || name.startsWith("gowork-http-"))
        && StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(frames -> frames.anyMatch(f -> f.getDeclaringClass() == SignedResult.class));
  }

  /** The session check of an HTTP worker's result, before the call reaches the work server's change gate. */
  private static boolean checkingAnHttpResultsSession() {
    return Thread.currentThread().getName().startsWith("gowork-http-")
        && StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("result")
            && f.getClassName().endsWith(".WorkerApi")));
  }
}
