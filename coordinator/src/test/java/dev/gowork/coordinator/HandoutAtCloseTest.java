package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A hand-out over HTTP ({@code get}, {@code POST /v1/work/next}) as the work server or the HTTP service closes. */
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
    PausingClock pause = new PausingClock(clock, PausingClock.readBy(Handout.class), WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);

    CompletableFuture<WorkEnvelope> handedOut = CompletableFuture.supplyAsync(() -> Poll.until(
        () -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "the work handed out"));
    assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a record taken");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Poll.until(() -> refused(s), WAIT, "get refused: the server is closing");
    pause.resume.countDown();
    closing.join();
    assertEquals(work.id(), handedOut.join().workId(), "the worker has the work");

    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    assertEquals(WorkState.RUNNING, server.status(work.id()).orElseThrow().state(),
        "its running state was committed before the server closed");
  }

  /**
   * HttpService.close() waited 5 s for the requests in flight, then closed every connection, and only
   * the work server's close (after it) stopped the hand-outs: a POST /v1/work/next that had taken its
   * record but not yet answered within the grace went on to mark the work running for a worker that
   * never got the answer (its connection was closed), so the item stayed running until its deadline.
   * Now the service stops the hand-outs first and keeps the connections open until the hand-outs under
   * way have finished: the worker gets its work.
   */
  @Test
  void aHandOutUnderWayWhenTheServiceClosesIsAnsweredToItsWorker(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, PausingClock.readBy(Handout.class), WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);
    try (ServiceOnServer http = new ServiceOnServer(k, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> Poll.until(() -> {
        Object r = http.next(s, "default");
        return r instanceof HttpResponse<?> h && h.statusCode() == 204 ? null : r;
      }, WAIT, "an answer other than 204"));
      assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a record taken");
      CompletableFuture<Void> closing = CompletableFuture.runAsync(http.service::close);
      // Resumed once hand-outs are refused (the fix), or once the worker's call ended without it (before).
      Poll.until(() -> asked.isDone() || refused(s), WAIT, "get refused, or the worker's call ended");
      pause.resume.countDown();
      closing.join();
      Object answer = asked.join();
      assertTrue(answer instanceof HttpResponse<?>, "the worker got no answer: " + answer);
      HttpResponse<?> r = (HttpResponse<?>) answer;
      assertEquals(200, r.statusCode(), r.toString());
      assertTrue(r.body().toString().contains(work.id()), "the worker has the work: " + r.body());
    }
  }

  /**
   * A POST /v1/work/next that had taken its record but was still under way when the close's wait for
   * hand-outs ran out (about 10 s; here cut short) went on, after the service had closed its connection,
   * to mark the work running for a worker that never got the answer: it stayed running until its deadline.
   * Now a hand-out the close stopped waiting for hands nothing out: it gives its record back to the queue,
   * and the work stays queued for the next hand-out.
   */
  @Test
  void aHandOutThatOutlivesTheCloseWaitGivesItsWorkBack(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, PausingClock.readBy(Handout.class), WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);
    try (ServiceOnServer http = new ServiceOnServer(k, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> Poll.until(() -> {
        Object r = http.next(s, "default");
        return r instanceof HttpResponse<?> h && h.statusCode() == 204 ? null : r;
      }, WAIT, "an answer other than 204"));
      assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a record taken");
      assertFalse(server.stopHandouts(Duration.ofMillis(100)), "the wait for hand-outs ran out");
      // Waits its grace for the request in flight, closes the connections, then interrupts its threads:
      // the held hand-out goes on from there (or when resumed, whichever comes first).
      http.service.close();
      pause.resume.countDown();
      Object answer = asked.join();
      assertFalse(answer instanceof HttpResponse<?> r && r.statusCode() == 200, "handed out after the close: " + answer);
    }
    server.close(); // waits for the hand-out to have given its record back
    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    assertEquals(WorkState.QUEUED, server.status(work.id()).orElseThrow().state(), "not running for nobody");
    assertEquals(work.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT,
        "the work handed out by the new server").workId());
  }

  /**
   * A hand-out the close stopped waiting for gave back whatever record it took, before looking at the
   * work: a record that hand-out would have skipped (its work completed, say, as when a late ACCEPT let the
   * record come back) was published to the queue again, where a worker took it and ran the finished work a
   * second time. Now it gives back only a record that would have been handed out.
   */
  @Test
  void aHandOutThatOutlivesTheCloseWaitGivesNothingBackForFinishedWork(TestKafka k) throws Exception {
    PausingClock pause = new PausingClock(clock, PausingClock.readBy(Handout.class), WAIT.multipliedBy(2));
    start(k, b -> b.clock(pause)).start();
    Session s = handshake();
    Work work = server.createWork("x", 600);
    server.add(work);
    server.submit(work.withResult("done")); // finished while its record is still in the queue
    assertEquals(WorkState.COMPLETED, server.status(work.id()).orElseThrow().state());

    CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> {
      try {
        return Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "a hand-out");
      } catch (GoWorkException e) {
        return e;
      }
    });
    assertTrue(pause.held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a record taken");
    assertFalse(server.stopHandouts(Duration.ofMillis(100)), "the wait for hand-outs ran out");
    pause.resume.countDown();
    Object answer = asked.join();
    assertTrue(answer instanceof GoWorkException e && e.code() == ErrorCode.UNAVAILABLE, "answered: " + answer);
    server.close(); // waits for the hand-out to have ended

    assertEquals(1, records(k, server.topics().work("default")), "records of the queue: given back");
  }

  /** How many records {@code topic} holds (its partitions' end offsets). */
  private static long records(TestKafka k, String topic) {
    try (org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = k.clients().consumer(null, Map.of())) {
      List<org.apache.kafka.common.TopicPartition> tps = c.partitionsFor(topic, WAIT).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
      return c.endOffsets(tps, WAIT).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A POST /v1/work/next waiting in its poll for a record (up to getPollTimeout, here 30 s) as the service
   * closed went on waiting through the 5 s grace, and its connection was then closed under it: the worker
   * got no answer, and a record arriving meanwhile was taken for nobody. Now it ends at once with 503 and
   * Retry-After (the worker asks again later), and nothing is taken: work added afterwards is queued for
   * the next coordinator.
   */
  @Test
  void aHandOutWaitingForARecordEndsWith503WhenTheServiceCloses(TestKafka k) throws Exception {
    start(k, b -> b.getPollTimeout(Duration.ofSeconds(30))).start();
    Session s = handshake();
    try (ServiceOnServer http = new ServiceOnServer(k, server)) {
      CompletableFuture<Object> asked = CompletableFuture.supplyAsync(() -> http.next(s, "default"));
      Poll.until(HandoutAtCloseTest::anHttpThreadPolls, WAIT, "the worker's call waiting in its poll");
      http.service.close();
      Object answer = asked.join();
      assertTrue(answer instanceof HttpResponse<?>, "the worker got no answer: " + answer);
      HttpResponse<?> r = (HttpResponse<?>) answer;
      assertEquals(503, r.statusCode(), r.toString());
      assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
    }
    Work work = server.createWork("y", 600);
    server.add(work);
    server.close();
    crashAndRestart(() -> { }); // already closed: only starts a new server on the same topics
    assertEquals(WorkState.QUEUED, server.status(work.id()).orElseThrow().state(), "nothing took it");
    assertEquals(work.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT,
        "the work handed out by the new server").workId());
  }

  /**
   * Each POST /v1/work/next refused as the service closed logged a WARN, so a shutdown with many HTTP
   * workers long-polling printed a wall of them. Now the refusals at close are counted and logged once, at
   * INFO, when the service has closed; real failures keep their WARN.
   */
  @Test
  void refusalsAtCloseAreLoggedOnceWithTheirCount(TestKafka k) throws Exception {
    start(k, b -> b.getPollTimeout(Duration.ofSeconds(30))).start();
    Session s = handshake();
    List<String> queues = List.of("long-poll-1", "long-poll-2", "long-poll-3"); // one share consumer each
    try (ServiceOnServer http = new ServiceOnServer(k, server);
        CapturedWarnings logs = CapturedWarnings.from(Level.INFO, "dev.gowork.coordinator.http")) {
      List<CompletableFuture<Object>> asked = queues.stream()
          .map(q -> CompletableFuture.supplyAsync(() -> http.next(s, q))).toList();
      Poll.until(() -> httpThreadsPolling() == queues.size(), WAIT, "every worker's call waiting in its poll");
      http.service.close();
      for (CompletableFuture<Object> a : asked) {
        Object answer = a.join();
        assertTrue(answer instanceof HttpResponse<?> r && r.statusCode() == 503, String.valueOf(answer));
      }
      List<String> lines = logs.lines();
      assertTrue(lines.stream().noneMatch(l -> l.contains("ErrorAnswers")), "a warning per refusal: " + lines);
      assertEquals(1, lines.stream().filter(l -> l.contains("HttpService") && l.contains("3 requests refused"))
          .count(), lines.toString());
    }
  }

  /** True when an HTTP thread is in a hand-out's poll of its share consumer. */
  private static boolean anHttpThreadPolls() {
    return httpThreadsPolling() > 0;
  }

  /** How many HTTP threads are in a hand-out's poll of a share consumer. */
  private static long httpThreadsPolling() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("gowork-http-"))
        .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("poll")
            && f.getClassName().contains("ShareConsumer"))).count();
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
}
