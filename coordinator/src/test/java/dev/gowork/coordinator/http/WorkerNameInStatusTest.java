package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's views of a work item ({@code GET /v1/running}, {@code GET /v1/work/{id}}) name its worker by
 * the name it registered with, as {@code workerName} beside the opaque {@code workerId}, which changes on
 * every session; a worker that gave no name leaves the field out.
 */
@ExtendWith(KafkaExtension.class)
class WorkerNameInStatusTest {
  private static final String NAME = "box-7 \"eu-west\" <b>";

  @Test
  void theRunningAndFinishedStatusOfANamedWorkersItemCarryItsNameAndAnUnnamedOnesDoNot(TestKafka kafka)
      throws Exception {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      String ofNamed = add(api, "named");
      String ofUnnamed = add(api, "unnamed");
      DocOnlyWorker named = new DocOnlyWorker(api.base, RunningService.SECRET).handshake(NAME);
      DocOnlyWorker unnamed = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
      JsonNode namedWork = next(named, "named");
      JsonNode unnamedWork = next(unnamed, "unnamed");

      JsonNode running = Poll.until(() -> Optional.of(api.producer("GET", "/v1/running", null).json())
          .filter(r -> r.path("total").asInt() == 2).orElse(null), Duration.ofSeconds(30), "both items running");
      assertEquals(NAME, item(running, ofNamed).path("workerName").textValue(), running.toString());
      assertEquals(named.workerId, item(running, ofNamed).path("workerId").textValue(), running.toString());
      assertFalse(item(running, ofUnnamed).has("workerName"), running.toString());
      assertEquals(NAME, api.producer("GET", "/v1/work/" + ofNamed, null).json().path("workerName").textValue());

      assertEquals(202, named.submit(namedWork, "completed", null, null));
      assertEquals(202, unnamed.submit(unnamedWork, "completed", null, null));
      JsonNode namedDone = finished(api, ofNamed);
      JsonNode unnamedDone = finished(api, ofUnnamed);
      assertEquals(NAME, namedDone.path("workerName").textValue(), namedDone.toString());
      assertFalse(unnamedDone.has("workerName"), unnamedDone.toString());
      assertEquals(unnamed.workerId, unnamedDone.path("workerId").textValue(), unnamedDone.toString());
    }
  }

  private static String add(RunningService api, String queue) {
    return api.producer("POST", "/v1/work", "{\"data\":1,\"timeoutSeconds\":120,\"queue\":\"" + queue + "\"}")
        .json().get("workId").asText();
  }

  private static JsonNode next(DocOnlyWorker worker, String queue) {
    return Poll.until(() -> {
      try {
        return worker.next(queue).orElse(null);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(60), "work of queue " + queue + " to be handed out");
  }

  private static JsonNode item(JsonNode listing, String workId) {
    for (JsonNode i : listing.get("items")) {
      if (workId.equals(i.path("workId").textValue())) {
        return i;
      }
    }
    throw new AssertionError(workId + " is not listed: " + listing);
  }

  private static JsonNode finished(RunningService api, String workId) {
    return Poll.until(() -> Optional.of(api.producer("GET", "/v1/work/" + workId + "?wait=30", null).json())
        .filter(s -> "completed".equals(s.path("state").textValue())).orElse(null),
        Duration.ofSeconds(90), workId + " to complete");
  }
}
