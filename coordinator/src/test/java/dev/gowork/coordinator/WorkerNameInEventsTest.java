package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The name a worker gave when it registered rides along in the events about it (README, "Work lifecycle and
 * events": {@code workerName}), on {@code <p>.events} and to in-process handlers, so a reader sees who a
 * worker id is; a worker that gave none has no {@code workerName} at all.
 */
@ExtendWith(KafkaExtension.class)
class WorkerNameInEventsTest extends ServerFixture {
  /** Quotes and a backslash, which the JSON must escape; spaces and non-ASCII letters, which a name may hold. */
  private static final String NAME = "build \"east\" \\ nœud-7";
  private static final List<EventType> WORKER_EVENTS = List.of(EventType.WORKER_REGISTERED,
      EventType.WORKER_VERIFY_ERROR, EventType.WORKER_VERIFY, EventType.GET_WORK_EMPTY, EventType.WORKER_EXPIRED);

  @Test
  void theEventsOfANamedWorkerCarryItsNameAndThoseOfAnUnnamedOneDoNot(TestKafka k) {
    start(k);
    String named = lifeOf(NAME);
    String unnamed = lifeOf(null);

    Map<EventType, JsonNode> ofNamed = awaitOnTopic(named);
    Map<EventType, JsonNode> ofUnnamed = awaitOnTopic(unnamed);
    for (EventType t : WORKER_EVENTS) {
      assertEquals(NAME, ofNamed.get(t).path("workerName").textValue(), t.id() + ": " + ofNamed.get(t));
      assertFalse(ofUnnamed.get(t).has("workerName"), t.id() + ": " + ofUnnamed.get(t));
      assertEquals(NAME, inProcess(t, named).workerName(), t.id() + " as a handler sees it");
      assertNull(inProcess(t, unnamed).workerName(), t.id() + " as a handler sees it");
    }
    // Every record still decodes as a v1 event (readAll throws on one that does not), the name included.
    assertTrue(EventsTopic.readAll(kafka.clients(), topics.events()).stream()
        .anyMatch(e -> e.type() == EventType.WORKER_VERIFY && NAME.equals(e.workerName())));
  }

  @Test
  void aRestartedCoordinatorNamesTheWorkerFromItsSessionRecord(TestKafka k) {
    start(k);
    Registration r = server.workers().register(NAME);
    Session s = server.workers().verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    crashAndRestart(() -> { });
    server.workers().revoke(s.workerId());
    JsonNode expired = Poll.until(() -> EventsTopic.readAllJson(kafka.clients(), topics.events()).stream()
        .filter(n -> EventType.WORKER_EXPIRED.id().equals(n.path("type").textValue())
            && s.workerId().equals(n.path("workerId").textValue())).findFirst().orElse(null),
        Duration.ofSeconds(60), "worker_expired of " + s.workerId());
    assertEquals(NAME, expired.path("workerName").textValue(), expired.toString());
  }

  /**
   * The work events about a worker name it too, so that a reader of the events topic can tell which replica
   * finished the work without joining them with worker events (compacted away, or never read): the
   * {@code work_complete} of work a named worker completed carries its name, and so does the
   * {@code result_rejected} of its result sent again; those of an unnamed worker carry none.
   */
  @Test
  void theWorkEventsOfANamedWorkerCarryItsNameAndThoseOfAnUnnamedOneDoNot(TestKafka k) {
    start(k);
    Session named = verified(NAME);
    Session unnamed = verified(null);
    WorkEnvelope ofNamed = completes(named);
    WorkEnvelope ofUnnamed = completes(unnamed);
    worker(named).send(ofNamed, ResultStatus.COMPLETED, "again", null);
    worker(unnamed).send(ofUnnamed, ResultStatus.COMPLETED, "again", null);

    for (EventType t : List.of(EventType.WORK_COMPLETE, EventType.RESULT_REJECTED)) {
      JsonNode fromNamed = awaitOnTopic(t, ofNamed.workId());
      JsonNode fromUnnamed = awaitOnTopic(t, ofUnnamed.workId());
      assertEquals(named.workerId(), fromNamed.path("workerId").textValue(), fromNamed.toString());
      assertEquals(NAME, fromNamed.path("workerName").textValue(), fromNamed.toString());
      assertEquals(unnamed.workerId(), fromUnnamed.path("workerId").textValue(), fromUnnamed.toString());
      assertFalse(fromUnnamed.has("workerName"), fromUnnamed.toString());
      assertEquals(NAME, log.await(t, ofNamed.workId()).workerName(), t.id() + " as a handler sees it");
      assertNull(log.await(t, ofUnnamed.workId()).workerName(), t.id() + " as a handler sees it");
    }
  }

  private Session verified(String name) {
    Registration r = server.workers().register(name);
    return server.workers().verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  /** Adds work, which the worker takes over HTTP and completes. */
  private WorkEnvelope completes(Session s) {
    server.add(server.createWork(Map.of("job", "resize"), 60));
    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), Duration.ofSeconds(60),
        "work for " + s.workerId());
    server.submit(s.workerId(), s.sessionKey(), new ResultEnvelope(got.workId(), got.attempt(),
        ResultStatus.COMPLETED, null, null, null, 1));
    log.await(EventType.WORK_COMPLETE, got.workId());
    return got;
  }

  /** The event of {@code type} about {@code workId} as JSON on the events topic, once it is there. */
  private JsonNode awaitOnTopic(EventType type, String workId) {
    return Poll.until(() -> EventsTopic.readAllJson(kafka.clients(), topics.events()).stream()
        .filter(n -> type.id().equals(n.path("type").textValue()) && workId.equals(n.path("workId").textValue()))
        .findFirst().orElse(null), Duration.ofSeconds(60), type.id() + " of " + workId + " on the events topic");
  }

  /** Registers, answers wrongly once, verifies, polls an empty queue, and has the session revoked. */
  private String lifeOf(String name) {
    Registration r = server.workers().register(name);
    assertThrows(GoWorkException.class, () -> server.workers().verify(r.workerId(), "d3Jvbmc="));
    Session s = server.workers().verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    assertTrue(server.get(s.workerId(), s.sessionKey()).isEmpty());
    server.workers().revoke(s.workerId());
    return s.workerId();
  }

  private Event inProcess(EventType type, String workerId) {
    return log.await(e -> e.type() == type && workerId.equals(e.workerId()), Duration.ofSeconds(20),
        type.id() + " of " + workerId);
  }

  /** The worker's events as JSON on the events topic, one per type, once all of them are there. */
  private Map<EventType, JsonNode> awaitOnTopic(String workerId) {
    return Poll.until(() -> {
      Map<EventType, JsonNode> m = EventsTopic.readAllJson(kafka.clients(), topics.events()).stream()
          .filter(n -> workerId.equals(n.path("workerId").textValue()))
          .collect(Collectors.toMap(n -> EventType.fromId(n.path("type").textValue()), Function.identity(),
              (a, b) -> a));
      return m.keySet().containsAll(WORKER_EVENTS) ? m : null;
    }, Duration.ofSeconds(60), "the worker events of " + workerId + " on the events topic");
  }
}
