package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkServerFailureTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void unauthenticatedHandOutsNameOnlyKnownWorkersAndAFloodWritesFewEvents(TestKafka k) {
    start(k);
    Session real = handshake();
    for (int i = 0; i < 300; i++) {
      String madeUp = "{\"type\":\"work_complete\"}-" + i;
      assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class,
          () -> server.get(madeUp, "wrong")).code());
    }
    assertThrows(GoWorkException.class, () -> server.get(real.workerId(), "wrong"));
    server.close();
    List<Event> errors = log.of(EventType.GET_WORK_ERROR);
    assertTrue(errors.size() <= 101, errors.size() + " events");
    assertTrue(errors.stream().allMatch(e -> e.workerId() == null || e.workerId().equals(real.workerId())),
        errors::toString);
  }

  @Test
  void aCoordinatorFencedByItsReplacementSaysSoWhileTheReplacementWorks(TestKafka k) {
    start(k);
    assertTrue(server.failure().isEmpty());
    try (WorkServer replacement = WorkServer.builder().secret(SECRET).kafka(k.clients()).topics(topics).clock(clock)
        .nanoTime(clock::nanoTime)
        .shareGroupSettings(FAST_GROUP).build().start()) {
      // The old one learns it at its next transaction.
      try {
        server.add(server.createWork("after the replacement started", 60));
      } catch (GoWorkException expected) {
        // its state cannot be committed any more
      }
      Poll.until(() -> server.failure().isPresent(), WAIT, "the fenced coordinator to report it");
      assertTrue(server.failure().orElseThrow().contains("fenced"), server.failure().orElseThrow());
      // Nor does it report as committed an add it can no longer commit (it returned normally once).
      Work afterTheFence = server.createWork("after the fence", 60);
      assertThrows(GoWorkException.class, () -> server.add(afterTheFence));
      assertTrue(replacement.failure().isEmpty());
      Work work = replacement.createWork("to the replacement", 60);
      replacement.add(work);
      assertEquals(WorkState.QUEUED, replacement.status(work.id()).orElseThrow().state());
    }
  }
  private final WireCodec codec = WireCodec.defaults();

  private Event awaitRejection(String workId) {
    return log.await(EventType.RESULT_REJECTED, workId);
  }

  @Test
  void malformedForgedExpiredAndReplayedResultsAreRejectedWithoutAStateChangeAndTheLoopGoesOn(TestKafka k) {
    start(k);
    Session s = handshake();
    TestWorker worker = worker(s);
    Work forged = server.createWork("forged", 7200);
    Work replayed = server.createWork("replayed", 7200);
    Work expired = server.createWork("expired", 7200);
    server.addAll(List.of(forged, replayed, expired));
    Map<String, WorkEnvelope> taken = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      WorkEnvelope e = worker.take(WAIT);
      taken.put(e.workId(), e);
    }

    worker.send(new ProducerRecord<>(topics.results(), forged.id(), "not json".getBytes(StandardCharsets.UTF_8)));
    assertTrue(log.await(EventType.RECORD_REJECTED, null).error().contains("malformed JSON"));

    ResultEnvelope r = new ResultEnvelope(forged.id(), 1, ResultStatus.COMPLETED, null, null, s.workerId(), 1);
    worker.send(SignedResult.sign(codec, r, s.workerId(), Signatures.randomToken(), clock));
    assertEquals("bad signature", awaitRejection(forged.id()).error());
    assertEquals(WorkState.QUEUED, server.status(forged.id()).orElseThrow().state());

    SignedResult once = worker.send(taken.get(replayed.id()), ResultStatus.COMPLETED, "first", null);
    log.await(EventType.WORK_COMPLETE, replayed.id());
    worker.send(once);
    assertEquals("replayed result for attempt 1", awaitRejection(replayed.id()).error());
    assertEquals("first", server.status(replayed.id()).orElseThrow().result().asText());
    assertOnce(log, EventType.WORK_COMPLETE, replayed.id());

    clock.advance(Duration.ofHours(1));
    worker.send(taken.get(expired.id()), ResultStatus.COMPLETED, "too late", null);
    assertEquals("unknown or expired session", awaitRejection(expired.id()).error());
    assertEquals(WorkState.QUEUED, server.status(expired.id()).orElseThrow().state());
    log.await(e -> e.type() == EventType.WORKER_EXPIRED && s.workerId().equals(e.workerId()), WAIT, "worker_expired");
    assertEquals(1, log.of(EventType.WORKER_EXPIRED).size());
    assertEquals(2, server.queueSize());
  }

  @Test
  void aCoordinatorAloneSkipsAResultForUnknownWorkAtOnceWithoutHoldingItsPartition(TestKafka k) {
    start(k);
    Session s = handshake();
    TestWorker worker = worker(s);
    Work real = server.createWork("real", 7200);
    int partition = Ownership.partitionOf(real.id(), 6);
    String unknown = "forgotten-0";
    for (int i = 1; Ownership.partitionOf(unknown, 6) != partition; i++) {
      unknown = "forgotten-" + i;
    }
    // A late duplicate for work this coordinator no longer knows (forgotten after its retention),
    // written just before a result of the same partition: waiting for it would hold that one back.
    ResultEnvelope stray = new ResultEnvelope(unknown, 1, ResultStatus.COMPLETED, null, null, s.workerId(), 1);
    worker.send(SignedResult.sign(codec, stray, s.workerId(), s.sessionKey(), clock));
    server.add(real);
    worker.send(worker.take(WAIT), ResultStatus.COMPLETED, "done", null);
    log.await(e -> e.type() == EventType.WORK_COMPLETE && real.id().equals(e.workId()), Duration.ofSeconds(15),
        "the result behind the stray one applied well within the 30 s an unknown result may wait");
  }

  @Test
  void aCoordinatorAloneThatItsGroupDropsRejoinsAndGoesOn(TestKafka k) throws Exception {
    start(k, b -> b.kafka(fastRebalancing(k))).start(); // it hears of the drop at its next heartbeat
    autoWorker(handshake());
    Work before = server.createWork("before", 7200);
    server.add(before);
    log.await(EventType.WORK_COMPLETE, before.id());
    try (CapturedWarnings warnings = CapturedWarnings.start("dev.gowork.coordinator.results");
        Admin admin = kafka.clients().admin()) {
      admin.removeMembersFromConsumerGroup(topics.coordinatorGroup(), new RemoveMembersFromConsumerGroupOptions(
          List.of(new MemberToRemove(topics.prefix() + ".coordinator-0")))).all().get(10, TimeUnit.SECONDS);
      Poll.until(() -> warnings.lines().stream().anyMatch(l -> l.contains("dropped this coordinator")), WAIT,
          "the coordinator to notice it was dropped");
    }
    Poll.until(() -> server.ownedPartitions().size() == 6, WAIT, "the coordinator to rejoin with every partition");
    Work after = server.createWork("after", 7200);
    server.add(after);
    log.await(EventType.WORK_COMPLETE, after.id());
    assertTrue(server.failure().isEmpty(), server.failure()::toString);
    assertOnce(log, EventType.WORK_COMPLETE, before.id());
  }

  @Test
  void workWithNoWorkerTimesOutExactlyOnceAndALateResultIsRefused(TestKafka k) {
    start(k);
    Session s = handshake();
    Work work = server.createWork("slow", 1);
    server.add(work);
    assertEquals(WorkState.QUEUED, server.status(work.id()).orElseThrow().state());
    clock.advance(Duration.ofMillis(999));
    clock.advance(Duration.ofMillis(1));
    Event timeout = log.await(EventType.WORK_TIMEOUT, work.id());
    assertEquals(1000L, timeout.durationMs());
    assertEquals(WorkState.TIMED_OUT, server.status(work.id()).orElseThrow().state());
    assertEquals(0, server.queueSize());

    TestWorker late = worker(s);
    WorkEnvelope stale = late.take(WAIT);
    late.send(stale, ResultStatus.COMPLETED, "done anyway", null);
    assertEquals("work timed out", awaitRejection(work.id()).error());
    assertEquals(ErrorCode.TIMED_OUT,
        assertThrows(GoWorkException.class, () -> server.submit(Work.from(stale).withResult("x"))).code());
    assertOnce(log, EventType.WORK_TIMEOUT, work.id());
    assertTrue(log.of(EventType.WORK_COMPLETE).isEmpty());
    assertEquals(WorkState.TIMED_OUT, server.status(work.id()).orElseThrow().state());
  }

  @Test
  void expiredWorkTakenByGetGoesDownTheTimeoutPathAndGetAnswersEmpty(TestKafka k) {
    start(k);
    Session s = handshake();
    Work work = server.createWork("stale", 1);
    server.add(work);
    clock.advance(Duration.ofSeconds(2));
    log.await(EventType.WORK_TIMEOUT, work.id());
    Event error = log.await(e -> e.type() == EventType.GET_WORK_ERROR && work.id().equals(e.workId()), WAIT,
        "get_work_error for the expired work", () -> server.get(s.workerId(), s.sessionKey()));
    assertEquals("work timed out", error.error());
    assertTrue(server.get(s.workerId(), s.sessionKey()).isEmpty());
    assertOnce(log, EventType.WORK_TIMEOUT, work.id());
    assertTrue(log.of(EventType.GET_WORK).isEmpty());
  }

  @Test
  void aFailedFirstAttemptIsRetriedAsAttemptTwoAndCompletes(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = server.createWork(Map.of("x", 1), 600).withMaxAttempts(2);
    server.add(work);
    WorkEnvelope first = worker.take(WAIT);
    assertEquals(1, first.attempt());
    assertEquals(2, first.maxAttempts());
    worker.send(first, ResultStatus.FAILED, null, "flaky");
    assertEquals("flaky", log.await(EventType.WORK_FAILED, work.id()).error());
    assertEquals(WorkState.RETRY_WAIT, server.status(work.id()).orElseThrow().state());
    assertEquals(1, server.queueSize());

    clock.advance(Duration.ofSeconds(1));
    assertEquals(2, log.await(EventType.WORK_RETRY, work.id()).attempt());
    WorkEnvelope second = worker.take(WAIT);
    assertEquals(work.id(), second.workId());
    assertEquals(2, second.attempt());
    assertEquals(first.data(), second.data());
    assertEquals(first.deadline(), second.deadline());
    worker.send(second, ResultStatus.COMPLETED, "ok", null);
    assertEquals(2, log.await(EventType.WORK_COMPLETE, work.id()).attempt());
    assertEquals(2, server.status(work.id()).orElseThrow().attempts());
    assertOnce(log, EventType.WORK_FAILED, work.id());
    assertOnce(log, EventType.WORK_RETRY, work.id());
    assertTrue(log.of(EventType.WORK_DEAD).isEmpty());
  }

  @Test
  void twoFailedAttemptsMakeTheWorkDeadAndRequeueRunsItAgain(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = server.createWork("doomed", 600).withMaxAttempts(2);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    clock.advance(Duration.ofSeconds(1));
    WorkEnvelope second = worker.take(WAIT);
    worker.send(second, ResultStatus.FAILED, null, "second");
    assertEquals("second", log.await(EventType.WORK_DEAD, work.id()).error());
    assertEquals(List.of(work.id()), server.deadLetters().stream().map(d -> d.workId()).toList());
    assertEquals(WorkState.DEAD, server.status(work.id()).orElseThrow().state());
    assertEquals(0, server.queueSize());

    server.requeue(work.id());
    assertTrue(server.deadLetters().isEmpty());
    WorkEnvelope third = worker.take(WAIT);
    assertEquals(3, third.attempt());
    worker.send(third, ResultStatus.COMPLETED, "finally", null);
    log.await(EventType.WORK_COMPLETE, work.id());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> server.requeue(work.id())).code());
    assertOnce(log, EventType.WORK_DEAD, work.id());
    assertEquals(2, log.of(EventType.WORK_RETRY, work.id()).size());
  }

  @Test
  void aServerThatCannotStartLeavesNoClientOrThreadBehind() {
    KafkaClients nowhere = new KafkaClients("127.0.0.1:1", Map.of("client.id", "never-started",
        "default.api.timeout.ms", "1500", "request.timeout.ms", "1000", "max.block.ms", "1500"));
    WorkServer doomed = WorkServer.builder().secret(SECRET).kafka(nowhere).build();
    GoWorkException e = assertThrows(GoWorkException.class, doomed::start);
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    Poll.until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && (t.getName().contains("never-started") || t.getName().startsWith("gowork-"))),
        WAIT, "the failed server's Kafka clients and threads to stop");
    assertEquals(ErrorCode.UNAVAILABLE, assertThrows(GoWorkException.class, doomed::start).code());
  }

  @Test
  void deadLettersBeyondTheCapOrDeletedStayGoneAfterARestart(TestKafka k) {
    start(k, b -> b.deadKept(2)).start();
    TestWorker worker = worker(handshake());
    List<String> ids = new ArrayList<>();
    for (String name : List.of("first", "second", "third")) {
      Work work = server.createWork(name, 600).withMaxAttempts(2);
      server.add(work);
      ids.add(work.id());
      worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "once");
      log.await(EventType.WORK_FAILED, work.id());
      clock.advance(Duration.ofSeconds(1));
      worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "twice");
      log.await(EventType.WORK_DEAD, work.id());
      clock.advance(Duration.ofSeconds(1));
    }
    Poll.until(() -> server.status(ids.get(0)).isEmpty(), WAIT, "the oldest dead letter, beyond the cap of 2, to go");
    assertEquals(2, server.deadCount());
    assertEquals(1, server.deadForgotten());
    server.deleteDead(ids.get(1));
    assertTrue(server.status(ids.get(1)).isEmpty());
    GoWorkException again = assertThrows(GoWorkException.class, () -> server.deleteDead(ids.get(1)));
    assertEquals(ErrorCode.NOT_FOUND, again.code());

    crashAndRestart(() -> { });
    assertEquals(List.of(ids.get(2)), server.deadLetters().stream().map(d -> d.workId()).toList());
    assertTrue(server.status(ids.get(0)).isEmpty() && server.status(ids.get(1)).isEmpty(),
        "forgotten and deleted dead letters came back from the state topic");
    assertOnce(log, EventType.WORK_DEAD, ids.get(1));
  }

  @Test
  void aLostWorkersRedeliveryIsReportedAsTheNextAttemptAndAccepted(TestKafka k) throws Exception {
    start(k);
    Session s = handshake();
    TestWorker dying = worker(s);
    Work work = server.createWork("fragile", 600);
    server.add(work);
    assertEquals(1, dying.takeWithoutAck(WAIT).attempt());
    TestWorker survivor = worker(s);
    dying.close();
    WorkEnvelope redelivered = survivor.takeWithoutAck(WAIT);
    assertEquals(2, redelivered.attempt());
    survivor.send(redelivered, ResultStatus.COMPLETED, "survived", null);
    assertEquals(2, log.await(EventType.WORK_COMPLETE, work.id()).attempt());
    assertEquals(2, server.status(work.id()).orElseThrow().attempts());
  }
}
