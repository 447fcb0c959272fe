package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.testing.EventsTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Adds with the producer's own work id: repeating one (its answer lost) adds nothing twice, alone or
 * in a batch, and a bad id is a 400 naming it.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotentAddTest {
  private RunningService api;
  private TestKafka kafka;

  @BeforeAll
  void start(TestKafka k) {
    kafka = k;
    api = RunningService.start(RunningService.env(k));
  }

  @AfterAll
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void anAddRepeatedWithItsWorkIdAddsTheWorkOnce() {
    String body = "{\"workId\":\"order-42\",\"data\":{\"order\":42},\"timeoutSeconds\":60}";
    var first = api.producer("POST", "/v1/work", body);
    assertEquals(202, first.status(), first.toString());
    assertEquals("{\"workId\":\"order-42\",\"alreadyAdded\":false}", first.body());
    var again = api.producer("POST", "/v1/work", body);
    assertEquals(202, again.status(), again.toString());
    assertEquals("{\"workId\":\"order-42\",\"alreadyAdded\":true}", again.body());

    var batch = api.producer("POST", "/v1/work/batch", "{\"items\":[{\"workId\":\"order-42\",\"data\":1,"
        + "\"timeoutSeconds\":60},{\"workId\":\"order-43\",\"data\":2,\"timeoutSeconds\":60},{\"data\":3,"
        + "\"timeoutSeconds\":60}]}");
    assertEquals(202, batch.status(), batch.toString());
    assertEquals("[\"order-42\"]", batch.json().get("alreadyAdded").toString());
    assertEquals("order-43", batch.json().get("workIds").get(1).asText());
    assertEquals(3, batch.json().get("workIds").size());
    assertEquals(200, api.producer("GET", "/v1/work/order-43", null).status());

    long adds = EventsTopic.readAll(kafka.clients(), kafka.topicPrefix() + ".events").stream()
        .filter(e -> e.type() == EventType.ADD_WORK && e.workId().startsWith("order-")).count();
    assertEquals(2, adds, "order-42 and order-43 once each");
  }

  @Test
  void aBadWorkIdIs400NamingIt() {
    assertError(api.producer("POST", "/v1/work", "{\"workId\":\"a/b\",\"data\":1,\"timeoutSeconds\":5}"),
        "'workId': a work id must be 1-200 letters, digits");
    assertError(api.producer("POST", "/v1/work", "{\"workId\":\"" + "x".repeat(201) + "\",\"data\":1,"
        + "\"timeoutSeconds\":5}"), "'workId': a work id must be");
    assertError(api.producer("POST", "/v1/work", "{\"workId\":7,\"data\":1,\"timeoutSeconds\":5}"),
        "'workId' must be a string");
    assertError(api.producer("POST", "/v1/work/batch", "{\"items\":[{\"workId\":\"same\",\"data\":1,\"timeoutSeconds\":5},"
        + "{\"workId\":\"same\",\"data\":2,\"timeoutSeconds\":5}]}"), "items[1]: workId 'same' is items[0]'s too");
    assertEquals(404, api.producer("GET", "/v1/work/same", null).status(), "nothing of a refused batch is added");
  }

  private static void assertError(RunningService.Response r, String text) {
    assertEquals(400, r.status(), r.toString());
    assertTrue(r.json().get("error").asText().contains(text), r.toString());
  }
}
