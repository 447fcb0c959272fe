package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code POST /v1/queues/{queue}/cancel}, {@code /pause} and {@code /resume} of a running service, and their 4xx. */
@ExtendWith(KafkaExtension.class)
class CancelQueueApiTest {

  @Test
  void aQueuesUnfinishedWorkIsCancelledAQueueIsPausedAndResumedAndBadRequestsAreNamed(TestKafka kafka) {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      var added = api.producer("POST", "/v1/work/batch", "{\"items\":[{\"data\":1,\"timeoutSeconds\":60,\"queue\":\"bulk\"},"
          + "{\"data\":2,\"timeoutSeconds\":60,\"queue\":\"bulk\"},{\"data\":3,\"timeoutSeconds\":60}]}");
      assertEquals(202, added.status(), added.toString());
      var cancelled = api.producer("POST", "/v1/queues/bulk/cancel", "{\"reason\":\"not needed\"}");
      assertEquals(200, cancelled.status(), cancelled.toString());
      assertEquals("{\"queue\":\"bulk\",\"cancelled\":2,\"forwarded\":0}", cancelled.body());
      String first = added.json().get("workIds").get(0).asText();
      assertEquals("cancelled", api.producer("GET", "/v1/work/" + first, null).json().get("state").asText());
      String other = added.json().get("workIds").get(2).asText();
      assertEquals("queued", api.producer("GET", "/v1/work/" + other, null).json().get("state").asText());

      var badQueue = api.producer("POST", "/v1/queues/a%20b/cancel", null);
      assertEquals(400, badQueue.status(), badQueue.toString());
      var badBody = api.producer("POST", "/v1/queues/bulk/cancel", "[1]");
      assertEquals(400, badBody.status(), badBody.toString());
      assertTrue(badBody.json().get("error").asText().contains("{\"reason\""), badBody.toString());
      assertEquals(401, api.send("POST", "/v1/queues/bulk/cancel", null).status());

      var paused = api.producer("POST", "/v1/queues/bulk/pause", "{\"reason\":\"maintenance\"}");
      assertEquals(200, paused.status(), paused.toString());
      assertTrue(paused.json().get("paused").asBoolean() && "maintenance".equals(paused.json().get("pauseReason")
          .asText()), paused.toString());
      assertTrue(api.send("GET", "/metrics", null).body().contains("\ngowork_queues_paused 1.0\n"), "the gauge");
      assertTrue(api.send("GET", "/metrics", null).body().contains("\ngowork_queue_limit_refusals_total 0.0\n"),
          "the refusals counter");
      var queues = api.producer("GET", "/v1/queues", null).json().get("queues");
      assertTrue(queues.get("bulk").get("paused").asBoolean(), queues.toString());
      assertEquals("maintenance", queues.get("bulk").get("pauseReason").asText());
      assertTrue(!queues.get("default").get("paused").asBoolean(), queues.toString());
      var resumed = api.producer("POST", "/v1/queues/bulk/resume", null);
      assertEquals("{\"queue\":\"bulk\",\"paused\":false}", resumed.body());
      assertTrue(!api.producer("GET", "/v1/queues", null).json().get("queues").get("bulk").get("paused").asBoolean());
      assertEquals(400, api.producer("POST", "/v1/queues/a%20b/pause", null).status());
    }
  }
}
