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
