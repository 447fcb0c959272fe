package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A coordinator killed mid-run and replaced by a new one on the same topics (fault test, real broker). */
@ExtendWith(KafkaExtension.class)
class CoordinatorCrashTest extends ServerFixture {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorCrashTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void theSuccessorFinishesQueuedWorkTimesOutPassedDeadlinesOnceAndKeepsSessions(TestKafka k) {
    start(k);
    Session s = handshake();
    TestWorker worker = worker(s);
    Work done = server.createWork("done before", 600);
    Work later = server.createWork("done while down", 600);
    Work expires = server.createWork("expires while down", 5);
    server.addAll(List.of(done, later, expires));
    Map<String, WorkEnvelope> taken = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      WorkEnvelope e = worker.take(WAIT);
      taken.put(e.workId(), e);
    }
    worker.send(taken.get(done.id()), ResultStatus.COMPLETED, "before", null);
    log.await(EventType.WORK_COMPLETE, done.id());

    long startMillis = crashAndRestart(() -> {
      worker.send(taken.get(later.id()), ResultStatus.COMPLETED, "after", null);
      clock.advance(Duration.ofSeconds(10));
    });
    long began = System.nanoTime();
    log.await(EventType.WORK_TIMEOUT, expires.id());
    Event completed = log.await(EventType.WORK_COMPLETE, later.id());
    long caughtUp = Duration.ofNanos(System.nanoTime() - began).toMillis();
    LOG.info("MEASURED restart: start() incl. rebuild {} ms, then caught up (result applied) in {} ms", startMillis,
        caughtUp);

    assertEquals(s.workerId(), completed.workerId());
    assertEquals("after", server.status(later.id()).orElseThrow().result().asText());
    assertEquals("before", server.status(done.id()).orElseThrow().result().asText());
    assertEquals(WorkState.TIMED_OUT, server.status(expires.id()).orElseThrow().state());
    assertEquals(0, server.queueSize());
    assertTrue(server.workers().list().stream().anyMatch(w -> w.workerId().equals(s.workerId())));
    List<Event> topic = EventsTopic.readAll(k.clients(), topics.events());
    EventsTopic.assertOneTerminalEach(topic, List.of(done.id(), later.id()), EventType.WORK_COMPLETE);
    EventsTopic.assertOneTerminalEach(topic, List.of(expires.id()), EventType.WORK_TIMEOUT);
    assertOnce(log, EventType.WORK_TIMEOUT, expires.id());
  }

  @Test
  void aResultWrittenBeforeTheCrashCountsAfterItsSessionAndTheWindowPassed(TestKafka k) {
    start(k, b -> b.sessionTtl(Duration.ofMinutes(2))).start();
    Session s = handshake();
    TestWorker worker = worker(s);
    Work work = server.createWork("through a long outage", 3600);
    server.add(work);
    WorkEnvelope taken = worker.take(WAIT);
    crashAndRestart(() -> {
      worker.send(taken, ResultStatus.COMPLETED, "written in time", null);
      // The successor reads it ten minutes later: past the session's end and the 5-minute window.
      clock.advance(Duration.ofMinutes(10));
    });
    log.await(EventType.WORK_COMPLETE, work.id());
    assertEquals("written in time", server.status(work.id()).orElseThrow().result().asText());
    assertTrue(log.of(EventType.RESULT_REJECTED).isEmpty(), () -> log.of(EventType.RESULT_REJECTED).toString());
  }

  @Test
  void aResultsTopicAnOlderVersionCreatedGetsTheAppendTimeAtStart(TestKafka k) throws Exception {
    String results = dev.gowork.broker.topic.Topics.of(k.topicPrefix()).results();
    try (org.apache.kafka.clients.admin.Admin admin = k.clients().admin()) {
      new dev.gowork.broker.topic.TopicProvisioner(admin).ensureTopics(List.of(
          dev.gowork.broker.topic.TopicSpec.of(results, dev.gowork.coordinator.queue.QueueTopics.RESULT_PARTITIONS, 1)));
      start(k);
      var resource = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, results);
      assertEquals("LogAppendTime", admin.describeConfigs(List.of(resource)).all().get().get(resource)
          .get("message.timestamp.type").value());
    }
  }

  @Test
  void aResultAppliedButNotCommittedBeforeTheCrashIsAppliedOnceBySuccessor(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = server.createWork("x", 600);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.COMPLETED, "once", null);
    // Crash as soon as the result is applied in memory, racing its commit; either way one terminal event lands.
    Poll.until(() -> server.status(work.id()).map(st -> st.state() == WorkState.COMPLETED).orElse(false), WAIT,
        "the result applied in memory");
    crashAndRestart(() -> { });
    Poll.until(() -> server.status(work.id()).map(st -> st.state() == WorkState.COMPLETED).orElse(false), WAIT,
        "the successor to have the result");
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events()))
        .containsKey(work.id()), WAIT, "the terminal event on the events topic");
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), List.of(work.id()),
        EventType.WORK_COMPLETE);
  }

  @Test
  void retriesWaitingAtTheCrashAreMadeByTheSuccessor(TestKafka k) {
    start(k);
    TestWorker worker = worker(handshake());
    Work work = server.createWork("flaky", 600).withMaxAttempts(2);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    log.await(EventType.WORK_FAILED, work.id());
    Poll.until(() -> EventsTopic.readAll(k.clients(), topics.events()).stream()
        .anyMatch(e -> e.type() == EventType.WORK_FAILED), WAIT, "work_failed committed");
    crashAndRestart(() -> { });
    assertEquals(WorkState.RETRY_WAIT, server.status(work.id()).orElseThrow().state());
    clock.advance(Duration.ofSeconds(1));
    WorkEnvelope second = worker.take(WAIT);
    assertEquals(2, second.attempt());
    worker.send(second, ResultStatus.COMPLETED, "second", null);
    log.await(EventType.WORK_COMPLETE, work.id());
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), List.of(work.id()),
        EventType.WORK_COMPLETE);
  }

  @Test
  void handlersSeeATerminalEventAgainWhenTheCoordinatorDiedBeforeTheyFinished(TestKafka k) throws Exception {
    CountDownLatch handling = new CountDownLatch(1);
    beforeStart = s -> s.newHandler(EventType.WORK_COMPLETE.id(), (e, params) -> {
      handling.countDown();
      try {
        Thread.sleep(60_000); // still running when the process dies
      } catch (InterruptedException killed) {
        Thread.currentThread().interrupt();
      }
    });
    start(k, b -> { }).start();
    TestWorker worker = worker(handshake());
    Work work = server.createWork("x", 600);
    server.add(work);
    worker.send(worker.take(WAIT), ResultStatus.COMPLETED, "done", null);
    assertTrue(handling.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the work_complete handler to start");

    List<String> seenBySuccessor = new CopyOnWriteArrayList<>();
    beforeStart = s -> s.newHandler(EventType.WORK_COMPLETE.id(), (e, params) -> seenBySuccessor.add(e.workId()));
    crashAndRestart(() -> { });
    Poll.until(() -> seenBySuccessor.contains(work.id()), WAIT, "the successor's handler to see work_complete");
    assertEquals(List.of(work.id()), seenBySuccessor);
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), List.of(work.id()),
        EventType.WORK_COMPLETE);
  }
}
