package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/work/{id}?wait=N}: a long poll that answers when the work finishes, and its 4xx. */
@ExtendWith(KafkaExtension.class)
class WaitForWorkApiTest {

  @Test
  void aStatusCallThatWaitsIsAnsweredWhenTheWorkEndsOrWhenItsWaitRunsOut(TestKafka kafka) throws Exception {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      var added = api.producer("POST", "/v1/work", "{\"data\":1,\"timeoutSeconds\":600,\"queue\":\"nobody\"}");
      String id = added.json().get("workId").asText();

      // More waiters than the API has threads: none holds one while it waits.
      int waiters = 20;
      @SuppressWarnings("unchecked")
      CompletableFuture<RunningService.Response>[] polls = new CompletableFuture[waiters];
      for (int i = 0; i < waiters; i++) {
        polls[i] = CompletableFuture.supplyAsync(() -> api.producer("GET", "/v1/work/" + id + "?wait=30", null));
      }
      var meanwhile = api.producer("GET", "/v1/work/" + id, null);
      assertEquals("queued", meanwhile.json().get("state").asText(), "the API still answers");
      assertFalse(polls[0].isDone(), "waiting for the work to end");

      var cancelled = api.producer("POST", "/v1/work/" + id + "/cancel", null);
      assertEquals(200, cancelled.status(), cancelled.toString());
      for (CompletableFuture<RunningService.Response> poll : polls) {
        // Well before the 30 s wait runs out: answered by the end, not by the timeout.
        var reply = poll.get(20, TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("cancelled", reply.json().get("state").asText());
      }

      var other = api.producer("POST", "/v1/work", "{\"data\":2,\"timeoutSeconds\":600,\"queue\":\"nobody\"}");
      var ranOut = api.producer("GET", "/v1/work/" + other.json().get("workId").asText() + "?wait=1", null);
      assertEquals("queued", ranOut.json().get("state").asText(), ranOut.toString());

      for (String bad : new String[] {"31", "-1", "soon", "1.5"}) {
        var refused = api.producer("GET", "/v1/work/" + id + "?wait=" + bad, null);
        assertEquals(400, refused.status(), refused.toString());
        assertTrue(refused.json().get("error").asText().contains("'wait' must be a whole number of seconds from 0 "
            + "to 30"), refused.toString());
      }
      assertEquals(404, api.producer("GET", "/v1/work/no-such-work?wait=30", null).status());
    }
  }
}
