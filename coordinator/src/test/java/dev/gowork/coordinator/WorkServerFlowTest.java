package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.events.HandlerTiming;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkServerFlowTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void seedFlowFromRegistrationToWorkCompleteWithParamsAndTheEventOnTheEventsTopic(TestKafka k) {
    // The coordinator's own loggers and its Kafka clients (not the test broker's, which other tests share).
    try (CapturedWarnings warnings = CapturedWarnings.start("dev.gowork", "org.apache.kafka.clients")) {
      seedFlow(k);
      server.close();
      // A clean run and stop says nothing alarming (the state follower's consumer warned at every stop).
      assertEquals(List.of(), warnings.lines());
    }
  }

  private void seedFlow(TestKafka k) {
    start(k, b -> { });
    List<Object> params = new CopyOnWriteArrayList<>();
    server.addParams(Map.of("param1", "value1"));
    server.newHandler("work_complete", (e, p) -> params.add(p.get("param1")));
    server.start();

    Session s = handshake();
    TestWorker worker = worker(s);
    Work work = server.createWork(Map.of("n", 42), 60);
    server.add(work);
    assertEquals(1, server.queueSize());
    var finished = server.whenFinished(work.id(), WAIT);
    // A wait with no practical end (longer than a long of milliseconds) is a wait, not an ArithmeticException
    // thrown after its signal was registered (and left behind).
    var forever = server.whenFinished(work.id(), java.time.temporal.ChronoUnit.FOREVER.getDuration());
    var notYet = server.whenFinished(work.id(), Duration.ofMillis(1)).join().orElseThrow();
    assertEquals(WorkState.QUEUED, notYet.state(), "a wait that runs out answers the state as it is");
    assertTrue(server.whenFinished("never-added", WAIT).join().isEmpty());

    WorkEnvelope got = worker.take(WAIT);
    assertEquals(work.id(), got.workId());
    assertEquals(42, got.data().get("n").asInt());
    assertEquals(1, got.attempt());
    worker.send(got, ResultStatus.COMPLETED, Map.of("answer", 84), null);

    WorkStatus done = assertDoesNotThrow(() -> finished.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .orElseThrow();
    assertEquals(WorkState.COMPLETED, done.state());
    assertEquals(WorkState.COMPLETED, assertDoesNotThrow(() -> forever.get(WAIT.toSeconds(),
        java.util.concurrent.TimeUnit.SECONDS)).orElseThrow().state());
    Poll.until(() -> !params.isEmpty(), WAIT, "the work_complete handler");
    assertEquals(List.of("value1"), params);
    WorkStatus status = server.status(work.id()).orElseThrow();
    assertEquals(WorkState.COMPLETED, status.state());
    assertEquals(84, status.result().get("answer").asInt());
    assertEquals(s.workerId(), status.workerId());
    assertEquals(0, server.queueSize());

    Event fromTopic = readEvent(EventType.WORK_COMPLETE, work.id());
    assertEquals("default", fromTopic.queue());
    assertEquals(s.workerId(), fromTopic.workerId());
    assertEquals(1, fromTopic.attempt());
    assertOnce(log, EventType.WORK_COMPLETE, work.id());
    assertOnce(log, EventType.ADD_WORK, work.id());
  }

  @Test
  void handlersRunAtApplyStillSeeEachEventOnceAndTheEventsStillReachTheTopic(TestKafka k) {
    start(k, b -> b.runHandlersAt(HandlerTiming.APPLY));
    Map<String, AtomicInteger> completions = new java.util.concurrent.ConcurrentHashMap<>();
    server.newHandler("work_complete", (e, p) -> completions.computeIfAbsent(e.workId(), id -> new AtomicInteger())
        .incrementAndGet());
    server.start();

    TestWorker worker = worker(handshake());
    List<Work> added = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Work w = server.createWork(Map.of("i", i), 60);
      server.add(w);
      added.add(w);
    }
    for (int i = 0; i < added.size(); i++) {
      WorkEnvelope got = worker.take(WAIT);
      worker.send(got, ResultStatus.COMPLETED, Map.of("ok", true), null);
    }
    Poll.until(() -> completions.size() == added.size(), WAIT, "every work_complete handler");
    for (Work w : added) {
      assertEquals(WorkState.COMPLETED, server.status(w.id()).orElseThrow().state());
      readEvent(EventType.WORK_COMPLETE, w.id());
      assertOnce(log, EventType.WORK_COMPLETE, w.id());
    }
    server.close();
    completions.forEach((id, n) -> assertEquals(1, n.get(), "work_complete handler calls for " + id));
  }

  @Test
  void everySeedEventIdCanBeProvokedAndReachesItsHandler(TestKafka k) {
    start(k, b -> { });
    Map<EventType, AtomicInteger> calls = new EnumMap<>(EventType.class);
    for (EventType t : EventType.values()) {
      if (t.isSeed()) {
        calls.put(t, new AtomicInteger());
        server.newHandler(t.id(), (e, p) -> calls.get(e.type()).incrementAndGet());
      }
    }
    assertEquals(10, calls.size());
    assertEquals(ErrorCode.CONFLICT,
        assertThrows(GoWorkException.class, () -> server.newHandler("work_complete", (e, p) -> { })).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(GoWorkException.class, () -> server.newHandler("no_such_event", (e, p) -> { })).code());
    server.start();

    Registration r = server.workers().register();
    assertEquals(ErrorCode.UNAUTHENTICATED,
        assertThrows(GoWorkException.class, () -> server.workers().verify(r.workerId(), "d3Jvbmc=")).code());
    Session s = handshake();
    assertEquals(ErrorCode.UNAUTHENTICATED,
        assertThrows(GoWorkException.class, () -> server.get(s.workerId(), "not-the-key")).code());

    Work work = server.createWork("seed", 60);
    server.add(work);
    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "get");
    assertTrue(server.get(s.workerId(), s.sessionKey()).isEmpty());
    server.submit(Work.from(got).withResult("done"));

    Work late = server.createWork("late", 1);
    server.add(late);
    clock.advance(Duration.ofSeconds(1));

    Poll.until(() -> calls.values().stream().allMatch(n -> n.get() > 0), WAIT, "every seed event: " + calls);
    assertEquals(WorkState.COMPLETED, server.status(work.id()).orElseThrow().state());
    assertEquals(WorkState.TIMED_OUT, server.status(late.id()).orElseThrow().state());
  }

  @Test
  void httpStyleGetAndSubmitTakeTheWorkAndCompleteItThroughTheResultsTopic(TestKafka k) {
    start(k);
    Session s = handshake();
    Work work = server.createWork(Map.of("job", "resize"), 60);
    server.add(work);

    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "get");
    assertEquals(work.id(), got.workId());
    WorkStatus running = server.status(work.id()).orElseThrow();
    assertEquals(WorkState.RUNNING, running.state());
    assertEquals(s.workerId(), running.workerId());

    // Another verified worker cannot report the outcome of work handed to this one, either way.
    Session other = handshake();
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> server.submit(other.workerId(),
        other.sessionKey(), new ResultEnvelope(got.workId(), got.attempt(), ResultStatus.FAILED, null, "x", null, 1)))
        .code());
    worker(other).send(got, ResultStatus.COMPLETED, "forged", null);
    assertEquals(WorkTable.HANDED_TO_ANOTHER, log.await(EventType.RESULT_REJECTED, work.id()).error());
    assertEquals(WorkState.RUNNING, server.status(work.id()).orElseThrow().state());

    server.submit(s.workerId(), s.sessionKey(), new ResultEnvelope(got.workId(), got.attempt(),
        ResultStatus.COMPLETED, WireCodec.defaults().mapper().valueToTree("resized"), null, null, 7));
    log.await(EventType.WORK_COMPLETE, work.id());
    assertEquals("resized", server.status(work.id()).orElseThrow().result().asText());
    assertOnce(log, EventType.GET_WORK, work.id());
    assertOnce(log, EventType.WORK_STARTED, work.id());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> server.submit(s.workerId(),
        s.sessionKey(), new ResultEnvelope(got.workId(), 1, ResultStatus.COMPLETED, null, null, null, 1))).code());
    assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, () -> server.submit(s.workerId(),
        "wrong", new ResultEnvelope(got.workId(), 1, ResultStatus.COMPLETED, null, null, null, 1))).code());
  }

  @Test
  void anIdleHttpHandoutLeavesTheShareGroupSoKafkaWorkersGetEveryPartition(TestKafka k) {
    start(k, b -> b.handoutIdle(Duration.ofMillis(500))).start();
    Session s = handshake();
    Work first = server.createWork("over http", 60);
    server.add(first);
    assertEquals(first.id(), Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "get")
        .workId());

    TestWorker kafkaWorker = worker(handshake());
    Set<String> added = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Work w = server.createWork(i, 60);
      server.add(w);
      added.add(w.id());
    }
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      taken.add(kafkaWorker.take(WAIT).workId());
    }
    assertEquals(added, taken, "the Kafka worker got the work of every partition, those the hand-out held too");
  }

  @Test
  void aHandlerThatThrowsDoesNotStopLaterEvents(TestKafka k) {
    start(k, b -> { });
    List<String> added = new CopyOnWriteArrayList<>();
    List<String> completed = new CopyOnWriteArrayList<>();
    server.newHandler("add_work", (e, p) -> {
      added.add(e.workId());
      throw new IllegalStateException("a bug in the user's handler");
    });
    server.newHandler("work_complete", (e, p) -> completed.add(e.workId()));
    server.start();
    Session s = handshake();
    TestWorker worker = worker(s);
    server.addAll(List.of(server.createWork(1, 60), server.createWork(2, 60)));
    for (int i = 0; i < 2; i++) {
      worker.send(worker.take(WAIT), ResultStatus.COMPLETED, "ok", null);
    }
    Poll.until(() -> completed.size() == 2, WAIT, "both completions");
    assertEquals(2, added.size());
    assertEquals(2, server.handlerFailures());
  }

  @Test
  void addAllPublishesEveryItemAndCountsThemPerQueue(TestKafka k) {
    start(k);
    List<Work> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Work w = server.createWork(Map.of("i", i), 600);
      batch.add(i % 2 == 0 ? w : w.withQueue("second"));
    }
    server.addAll(batch);
    assertEquals(Map.of("default", 250L, "second", 250L), server.queueSizes());
    assertEquals(500, server.queueSize());
    Poll.until(() -> log.of(EventType.ADD_WORK).size() == 500, WAIT, "500 add_work events");
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> server.add(batch.get(0))).code());
  }

  @Test
  void addAllAsyncKeepsManyBatchesInFlightAndEachFutureMeansCommitted(TestKafka k) {
    start(k);
    List<java.util.concurrent.CompletableFuture<Void>> adds = new ArrayList<>();
    List<Work> all = new ArrayList<>();
    for (int b = 0; b < 40; b++) {
      List<Work> batch = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        batch.add(server.createWork(Map.of("b", b, "i", i), 600));
      }
      all.addAll(batch);
      adds.add(server.addAllAsync(batch));
    }
    java.util.concurrent.CompletableFuture.allOf(adds.toArray(new java.util.concurrent.CompletableFuture[0]))
        .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    assertEquals(200, server.queueSize());
    // Committed means it survives a crash: a successor rebuilt from the state topic knows every item.
    crashAndRestart(() -> { });
    for (Work w : all) {
      assertEquals(WorkState.QUEUED, server.status(w.id()).orElseThrow().state(), w.id());
    }
    GoWorkException refused = assertThrows(GoWorkException.class, () -> server.addAllAsync(List.of(all.get(7))));
    assertEquals(ErrorCode.CONFLICT, refused.code());
  }

  private Event readEvent(EventType type, String workId) {
    try (Consumer<String, byte[]> c = kafka.clients().consumer(kafka.topicPrefix() + ".reader", Map.of())) {
      c.subscribe(List.of(topics.events()));
      WireCodec codec = WireCodec.defaults();
      return Poll.until(() -> {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          Decoded<Event> d = codec.decodeEvent(r.value());
          if (d.isOk() && d.value().type() == type && workId.equals(d.value().workId())) {
            assertEquals(workId, r.key());
            return d.value();
          }
        }
        return null;
      }, WAIT, type.id() + " on " + topics.events());
    }
  }
}
