package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.http.RunningService.Response;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The name a worker gives at registration (a replica's GOWORK_WORKER_NAME) is kept with its session and
 * listed by {@code GET /v1/workers}: on the coordinator it registered with, on another coordinator of the
 * prefix, and on a restarted one; it plays no part in authentication, and a bad one is still refused.
 */
@ExtendWith(KafkaExtension.class)
class WorkerNameTest {
  private static final String NAME = "box-1 (eu-west, pid 4242)";

  @Test
  void aWorkersNameIsListedHereOnAnotherCoordinatorAndAfterARestart(TestKafka kafka) {
    Map<String, String> first = RunningService.env(kafka);
    Map<String, String> second = RunningService.env(kafka);
    second.put("GOWORK_INSTANCE_ID", "1");
    String workerId;
    String sessionKey;
    try (RunningService a = RunningService.start(first); RunningService b = RunningService.start(second)) {
      assertTrue(error(a.send("POST", "/v1/workers", "{\"name\":\"" + "n".repeat(101) + "\"}"))
          .contains("'name' must be 1-100 characters"));
      assertEquals(400, a.send("POST", "/v1/workers", "{\"name\":\"a\\tb\"}").status());
      assertEquals(400, a.send("POST", "/v1/workers", "{\"name\":\"   \"}").status());

      JsonNode reg = a.send("POST", "/v1/workers", "{\"queue\":\"named\",\"name\":\"" + NAME + "\"}").json();
      workerId = reg.get("workerId").asText();
      assertEquals(NAME, listed(a, workerId).get("name").asText(), "a pending registration shows its name");
      String response = Signatures.verifyResponse(SharedSecret.of(RunningService.SECRET), workerId,
          reg.get("challenge").asText());
      Response verified = a.send("POST", "/v1/workers/" + workerId + "/verify", "{\"response\":\"" + response + "\"}");
      assertEquals(200, verified.status(), verified.toString());
      sessionKey = verified.json().get("sessionKey").asText();

      JsonNode here = listed(a, workerId);
      assertEquals(NAME, here.get("name").asText(), here.toString());
      assertEquals("active", here.get("state").asText(), here.toString());
      Poll.until(() -> listed(b, workerId) != null && NAME.equals(listed(b, workerId).path("name").asText(null)),
          Duration.ofSeconds(30), "the other coordinator to list the worker with its name");

      String unnamed = a.send("POST", "/v1/workers", null).json().get("workerId").asText();
      assertTrue(listed(a, unnamed).get("name").isNull(), listed(a, unnamed).toString());
    }
    try (RunningService restarted = RunningService.start(first)) {
      JsonNode after = listed(restarted, workerId);
      assertEquals(NAME, after == null ? null : after.get("name").asText(), String.valueOf(after));
      // The name is no credential: the session key alone still authenticates, as before.
      assertEquals(204, restarted.send("POST", "/v1/work/next?queue=named", null, "X-Gowork-Worker-Id", workerId,
          "Authorization", "Bearer " + sessionKey).status());
    }
  }

  private static JsonNode listed(RunningService api, String workerId) {
    for (JsonNode w : api.producer("GET", "/v1/workers", null).json().get("workers")) {
      if (w.get("workerId").asText().equals(workerId)) {
        return w;
      }
    }
    return null;
  }

  private static String error(Response r) {
    assertEquals(400, r.status(), r.toString());
    return r.json().get("error").asText();
  }
}
