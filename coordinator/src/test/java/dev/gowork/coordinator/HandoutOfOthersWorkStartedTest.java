package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.Ownership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coordinators: an HTTP worker that takes work from the coordinator that does not own it
 * (POST /v1/work/next) starts it as on the owner: the work is running and work_started fires (the
 * README: "HTTP workers' hand-outs fire both get_work and work_started").
 */
@ExtendWith(KafkaExtension.class)
class HandoutOfOthersWorkStartedTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final MutableClock clock = MutableClock.atNow();
  private final EventLog log = new EventLog();
  private final List<AutoCloseable> open = new ArrayList<>();

  private WorkServer coordinator(TestKafka k, Topics topics, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(ServerFixture.fastRebalancing(k))
        .topics(topics).clock(clock).nanoTime(clock::nanoTime).shareGroupSettings(ServerFixture.FAST_GROUP)
        .getPollTimeout(Duration.ofMillis(100)).workPartitions(1).instanceId(instanceId)
        .operatorKey("operator-key-0123456789").build();
    s.onEvent(log);
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /**
   * The owner learns from the running notice that the work was handed out over HTTP (a mark sealed with
   * the coordinators' operator key): it then takes no result for a later attempt (never handed out)
   * from another worker.
   */
  @Test
  void theOwnerTakesNoLaterAttemptOfWorkAnotherCoordinatorHandedOut(TestKafka k) {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    WorkServer b = coordinator(k, topics, "b");
    SplitPartitions.await(a, b, WAIT);
    Session session = session(b);
    Work work;
    do {
      work = a.createWork("a's work", 600).withQueue("http");
    } while (!a.ownedPartitions().contains(Ownership.partitionOf(work.id(), 6)));
    a.add(work);
    String id = work.id();
    WorkEnvelope got = Poll.until(() -> b.get(session.workerId(), session.sessionKey(), "http").orElse(null), WAIT,
        "b to hand out a's work");
    log.await(EventType.WORK_STARTED, id);

    Session other = session(a);
    try (TestWorker forger = new TestWorker(k.clients(), topics, "http", other.workerId(), other.sessionKey(), clock)) {
      forger.send(got.withAttempt(got.attempt() + 1), ResultStatus.COMPLETED, "forged", null);
      Event rejected = log.await(EventType.RESULT_REJECTED, id);
      assertEquals("attempt " + (got.attempt() + 1) + " was never handed out: attempt " + got.attempt()
          + " was handed out over HTTP", rejected.error());
    }
    b.submit(session.workerId(), session.sessionKey(), new ResultEnvelope(id, got.attempt(), ResultStatus.COMPLETED,
        null, null, null, 1));
    log.await(EventType.WORK_COMPLETE, id);
    assertEquals(session.workerId(), a.status(id).orElseThrow().workerId());
  }

  private static Session session(WorkServer s) {
    Registration reg = s.workers().register();
    return s.workers().verify(reg.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(),
        reg.challenge()));
  }

  @Test
  void workHandedOutByACoordinatorThatDoesNotOwnItIsStarted(TestKafka k) {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    WorkServer b = coordinator(k, topics, "b");
    SplitPartitions.await(a, b, WAIT);
    Registration reg = b.workers().register();
    Session session = b.workers().verify(reg.workerId(),
        Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(), reg.challenge()));
    Work work;
    do {
      work = a.createWork("a's work", 600).withQueue("http");
    } while (!a.ownedPartitions().contains(Ownership.partitionOf(work.id(), 6)));
    a.add(work);
    String id = work.id();

    WorkEnvelope got = Poll.until(() -> b.get(session.workerId(), session.sessionKey(), "http").orElse(null), WAIT,
        "b to hand out a's work");
    assertEquals(id, got.workId());
    b.submit(session.workerId(), session.sessionKey(), new ResultEnvelope(id, got.attempt(), ResultStatus.COMPLETED,
        null, null, null, 1));
    // Fired by two coordinators, each in its own transactions: b's get_work may be read after a's
    // work_complete, so each is waited for.
    for (EventType type : List.of(EventType.ADD_WORK, EventType.GET_WORK, EventType.WORK_STARTED,
        EventType.WORK_COMPLETE)) {
      log.await(type, id);
    }
    assertEquals(java.util.EnumSet.of(EventType.ADD_WORK, EventType.GET_WORK, EventType.WORK_STARTED,
        EventType.WORK_COMPLETE), log.all().stream().filter(e -> id.equals(e.workId())).map(Event::type)
            .collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(EventType.class))), "events of the work: " + log.all().stream()
            .filter(e -> id.equals(e.workId())).map(e -> e.type().id()).toList());
  }
}
