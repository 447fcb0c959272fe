package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.http.RunningService.Response;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every kind of bad request gets the right status and a JSON {@code {"error", "code"}} that says what
 * is wrong, and never a stack trace. One service serves the whole class.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpBadInputTest {
  private static final int BODY_LIMIT = 4096;
  private RunningService api;

  @BeforeAll
  void start(TestKafka kafka) {
    Map<String, String> env = RunningService.env(kafka);
    env.put("GOWORK_MAX_BODY_BYTES", Integer.toString(BODY_LIMIT));
    api = RunningService.start(env);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  /** Checks the status, the code and the shape of an error answer; returns its message. */
  private static String assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.toString());
    assertFalse(r.body().contains("Exception") || r.body().contains("at dev.gowork") || r.body().contains("\tat "),
        "no stack trace: " + r.body());
    JsonNode n = r.json();
    assertEquals(2, n.size(), r.body());
    assertEquals(code, n.get("code").asText(), r.body());
    assertTrue(n.get("error").isTextual() && !n.get("error").asText().isBlank(), r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"));
    return n.get("error").asText();
  }

  private Response addWork(String body) {
    return api.producer("POST", "/v1/work", body);
  }

  @Test
  void aBodyThatIsNotJsonIs400() {
    assertTrue(assertError(addWork("data=1&timeoutSeconds=5"), 400, "malformed").contains("malformed JSON"));
    assertTrue(assertError(addWork(""), 400, "malformed").contains("empty"));
    assertError(addWork("[1,2]"), 400, "malformed");
    assertError(addWork("{\"data\":1,\"timeoutSeconds\":5} trailing"), 400, "malformed");
  }

  @Test
  void aBodyOverTheLimitIs413WhetherItsLengthIsKnownOrNot() {
    String big = "{\"data\":\"" + "x".repeat(BODY_LIMIT) + "\",\"timeoutSeconds\":5}";
    assertTrue(assertError(addWork(big), 413, "too_large").contains(Integer.toString(BODY_LIMIT)));
    HttpRequest chunked = HttpRequest.newBuilder(api.base.resolve("/v1/work"))
        .header("Authorization", "Bearer " + RunningService.TOKEN)
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build();
    assertError(api.send(chunked), 413, "too_large");
  }

  @Test
  void workOverTheRecordLimitIsNamedByItsPlaceInTheBatchAndSaysByHowMuch() {
    String big = "{\"items\":[{\"data\":1,\"timeoutSeconds\":5},{\"data\":\"" + "x".repeat(1_048_500)
        + "\",\"timeoutSeconds\":5}]}";
    String m = assertError(api.producer("POST", "/v1/work/batch", big), 413, "too_large");
    assertTrue(m.startsWith("items[1]: the work encodes to ") && m.contains("make its data smaller by "), m);
  }

  @Test
  void clientsThatSendTooSlowlyAreCutOffAndTheApiStaysUp() throws Exception {
    List<java.net.Socket> slow = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {  // more than the 16 threads and their queue's worth of patience
        java.net.Socket s = new java.net.Socket(api.base.getHost(), api.base.getPort());
        s.getOutputStream().write(("POST /v1/work HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + RunningService.TOKEN
            + "\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        slow.add(s);
      }
      HttpRequest health = HttpRequest.newBuilder(api.base.resolve("/healthz")).timeout(Duration.ofSeconds(20)).build();
      assertEquals(200, api.send(health).status(), "the API answers while slow clients hold connections");
    } finally {
      for (java.net.Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void nestingTooDeepIs400() {
    String deep = "[".repeat(200) + "]".repeat(200);
    assertTrue(assertError(addWork("{\"data\":" + deep + ",\"timeoutSeconds\":5}"), 400, "malformed")
        .contains("nesting"));
  }

  @Test
  void missingFieldsAreNamed() {
    assertTrue(assertError(addWork("{\"timeoutSeconds\":5}"), 400, "malformed").contains("'data'"));
    assertTrue(assertError(addWork("{\"data\":1}"), 400, "malformed").contains("'timeoutSeconds'"));
    assertTrue(assertError(api.send("POST", "/v1/workers/w-1/verify", "{}"), 400, "malformed").contains("response"));
  }

  @Test
  void aTimeoutThatIsNotOneSecondToSevenDaysNamesTheField() {
    for (String t : new String[] {"-5", "0", "604801", "1e9", "1.5", "\"60\"", "99999999999999999999"}) {
      String m = assertError(addWork("{\"data\":1,\"timeoutSeconds\":" + t + "}"), 400, "invalid_argument");
      assertTrue(m.contains("'timeoutSeconds'") && m.contains("604800"), m);
    }
    assertEquals(202, addWork("{\"data\":1,\"timeoutSeconds\":604800}").status());
    assertTrue(assertError(addWork("{\"data\":1,\"timeoutSeconds\":5,\"maxAttempts\":0}"), 400, "invalid_argument")
        .contains("'maxAttempts'"));
  }

  @Test
  void aDelayIsZeroToSevenDaysAndDelayedWorkShowsScheduledWithItsRunTime() {
    for (String d : new String[] {"-1", "604801", "1.5", "\"60\""}) {
      String m = assertError(addWork("{\"data\":1,\"timeoutSeconds\":5,\"delaySeconds\":" + d + "}"), 400,
          "invalid_argument");
      assertTrue(m.contains("'delaySeconds'") && m.contains("604800"), m);
    }
    String id = addWork("{\"data\":1,\"timeoutSeconds\":5,\"delaySeconds\":3600}").json().get("workId").asText();
    JsonNode status = api.producer("GET", "/v1/work/" + id, null).json();
    assertEquals("scheduled", status.get("state").asText(), status.toString());
    assertEquals(java.time.Instant.parse(status.get("createdAt").asText()).plusSeconds(3600),
        java.time.Instant.parse(status.get("runAt").asText()));
    assertEquals(200, api.producer("POST", "/v1/work/" + id + "/cancel", null).status());
  }

  @Test
  void anInvalidQueueNameIs400() {
    String m = assertError(addWork("{\"data\":1,\"timeoutSeconds\":5,\"queue\":\"no spaces!\"}"), 400,
        "invalid_argument");
    assertTrue(m.contains("'queue'"), m);
    assertError(addWork("{\"data\":1,\"timeoutSeconds\":5,\"queue\":7}"), 400, "invalid_argument");
    String[] session = verifiedSession();
    assertError(api.send("POST", "/v1/work/next?queue=a%2Fb", "", "X-Gowork-Worker-Id", session[0],
        "Authorization", "Bearer " + session[1]), 400, "invalid_argument");
  }

  @Test
  void producerCallsWithoutTheApiTokenAre401() {
    for (String[] call : new String[][] {{"POST", "/v1/work"}, {"POST", "/v1/work/batch"}, {"GET", "/v1/work/x"},
        {"GET", "/v1/queues"}, {"GET", "/v1/workers"}, {"GET", "/v1/dead"}, {"POST", "/v1/dead/x/requeue"},
        {"DELETE", "/v1/dead/x"}, {"POST", "/v1/work/x/cancel"}, {"POST", "/v1/workers/x/revoke"}}) {
      assertError(api.send(call[0], call[1], "{}"), 401, "unauthenticated");
      assertError(api.send(call[0], call[1], "{}", "Authorization", "Bearer not-the-token-at-all"), 401,
          "unauthenticated");
    }
    Response r = api.send("GET", "/v1/queues", null, "Authorization", "Basic " + RunningService.TOKEN);
    assertError(r, 401, "unauthenticated");
    assertEquals("Bearer", r.header("WWW-Authenticate"));
  }

  @Test
  void workerCallsWithoutAValidSessionAre401() {
    String[] session = verifiedSession();
    assertError(api.send("POST", "/v1/work/next", ""), 401, "unauthenticated");
    assertError(api.send("POST", "/v1/work/next", "", "X-Gowork-Worker-Id", session[0]), 401, "unauthenticated");
    assertError(api.send("POST", "/v1/work/next", "", "X-Gowork-Worker-Id", session[0],
        "Authorization", "Bearer " + Signatures.randomToken()), 401, "unauthenticated");
    assertError(api.send("POST", "/v1/work/next", "", "X-Gowork-Worker-Id", "w-0000000000000000",
        "Authorization", "Bearer " + session[1]), 401, "unauthenticated");
    assertError(api.send("POST", "/v1/work/next", "", "X-Gowork-Worker-Id", session[0],
        "Authorization", "Bearer " + RunningService.TOKEN), 401, "unauthenticated");
    String result = "{\"workId\":\"x\",\"attempt\":1,\"status\":\"completed\",\"result\":1,\"error\":null}";
    assertError(api.send("POST", "/v1/work/x/result", result, "X-Gowork-Worker-Id", session[0],
        "Authorization", "Bearer " + Signatures.randomToken()), 401, "unauthenticated");
    assertError(api.send("POST", "/v1/work/x/result", "{}", "X-Gowork-Worker-Id", session[0],
        "Authorization", "Bearer " + Signatures.randomToken()), 401, "unauthenticated");
  }

  @Test
  void resultsNeedAMatchingIdAndKnownWork() {
    String[] session = verifiedSession();
    String[] headers = {"X-Gowork-Worker-Id", session[0], "Authorization", "Bearer " + session[1]};
    String result = "{\"workId\":\"%s\",\"attempt\":1,\"status\":\"%s\",\"result\":1,\"error\":null}";
    assertError(api.send("POST", "/v1/work/a/result", String.format(result, "b", "completed"), headers), 400,
        "invalid_argument");
    assertError(api.send("POST", "/v1/work/a/result", String.format(result, "a", "done"), headers), 400, "malformed");
    String notice = api.send("POST", "/v1/work/a/result", String.format(result, "a", "running"), headers).body();
    assertTrue(notice.contains("status 'running' is not a result"), notice);
    assertError(api.send("POST", "/v1/work/a/result", String.format(result, "a", "running"), headers), 400,
        "invalid_argument");
    assertError(api.send("POST", "/v1/work/a/result", String.format(result, "a", "completed"), headers), 404,
        "not_found");
    for (String bad : new String[] {"{\"attempt\":1}", "{\"attempt\":0,\"percent\":5}", "{\"attempt\":1,\"percent\":101}",
        "{\"attempt\":1,\"percent\":5,\"message\":7}"}) {
      assertTrue(assertError(api.send("POST", "/v1/work/a/progress", bad, headers), 400, "invalid_argument")
          .startsWith("the body must be {\"attempt\""), bad);
    }
    assertError(api.send("POST", "/v1/work/a/progress", "{\"attempt\":1,\"percent\":5}", headers), 404, "not_found");
    assertError(api.send("POST", "/v1/work/a/progress", "{\"attempt\":1,\"percent\":5}"), 401, "unauthenticated");
  }

  @Test
  void unknownWorkIs404() {
    assertError(api.producer("GET", "/v1/work/" + UUID.randomUUID(), null), 404, "not_found");
    assertError(api.producer("POST", "/v1/dead/" + UUID.randomUUID() + "/requeue", null), 404, "not_found");
    assertError(api.producer("DELETE", "/v1/dead/" + UUID.randomUUID(), null), 404, "not_found");
    assertError(api.producer("POST", "/v1/work/" + UUID.randomUUID() + "/cancel", null), 404, "not_found");
    assertError(api.producer("POST", "/v1/workers/w-0123456789abcdef-x/revoke", null), 404, "not_found");
  }

  @Test
  void aRevokedSessionIsRefusedAtOnceAndShownAsRevoked() {
    String[] session = verifiedSession();
    String[] headers = {"X-Gowork-Worker-Id", session[0], "Authorization", "Bearer " + session[1]};
    assertEquals(204, api.send("POST", "/v1/work/next?queue=revoking", null, headers).status());
    Response revoked = api.producer("POST", "/v1/workers/" + session[0] + "/revoke", null);
    assertEquals(200, revoked.status(), revoked.toString());
    assertEquals("revoked", revoked.json().get("state").asText());
    assertError(api.send("POST", "/v1/work/next?queue=revoking", null, headers), 401, "unauthenticated");
    JsonNode listed = null;
    for (JsonNode w : api.producer("GET", "/v1/workers", null).json().get("workers")) {
      if (w.get("workerId").asText().equals(session[0])) {
        listed = w;
      }
    }
    assertEquals("revoked", listed.get("state").asText(), String.valueOf(listed));
  }

  @Test
  void aCancelNeedsAnEmptyBodyOrAShortTextReasonAndUnfinishedWork() {
    String id = addWork("{\"data\":1,\"timeoutSeconds\":60}").json().get("workId").asText();
    String cancel = "/v1/work/" + id + "/cancel";
    assertEquals("the body must be empty or {\"reason\": \"<text>\"}",
        assertError(api.producer("POST", cancel, "{\"reason\":5}"), 400, "malformed"));
    assertError(api.producer("POST", cancel, "[\"why\"]"), 400, "malformed");
    assertEquals("the reason must be at most 1000 characters, was 1001",
        assertError(api.producer("POST", cancel, "{\"reason\":\"" + "x".repeat(1001) + "\"}"), 400,
            "invalid_argument"));
    Response ok = api.producer("POST", cancel, "{\"reason\":\"duplicate order\"}");
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("cancelled", ok.json().get("state").asText());
    assertEquals("cancelled: duplicate order", ok.json().get("error").asText());
    assertTrue(assertError(api.producer("POST", cancel, null), 409, "conflict").contains("is already cancelled"));
  }

  @Test
  void aDeadLetterLimitOutOfRangeIsA400NamingIt() {
    for (String limit : new String[] {"0", "10001", "lots", ""}) {
      String m = assertError(api.producer("GET", "/v1/dead?limit=" + limit, null), 400, "invalid_argument");
      assertEquals("'limit' must be an integer from 1 to 10000, was '" + limit + "'", m);
    }
    JsonNode none = api.producer("GET", "/v1/dead?limit=5", null).json();
    assertEquals(0, none.get("total").asInt());
    assertEquals(0, none.get("items").size());
  }

  @Test
  void aWrongMethodIs405AndAnUnknownPathIs404() {
    Response r = api.producer("DELETE", "/v1/work", null);
    assertError(r, 405, "invalid_argument");
    assertEquals("POST", r.header("Allow"));
    assertError(api.send("GET", "/v1/workers/w-1/verify", null), 405, "invalid_argument");
    assertError(api.send("PUT", "/healthz", "{}"), 405, "invalid_argument");
    assertError(api.send("GET", "/v2/work", null), 404, "not_found");
    assertError(api.producer("GET", "/v1/work/", null), 404, "not_found");
    assertError(api.send("GET", "/dashboard/missing.js", null), 404, "not_found");
  }

  /** The listing without each queue's latencyMs, which grows with the wall clock while the work waits. */
  private static JsonNode counts(JsonNode queues) {
    queues.path("queues").forEach(q -> ((com.fasterxml.jackson.databind.node.ObjectNode) q).remove("latencyMs"));
    return queues;
  }

  @Test
  void aBatchWithOneBadItemNamesItsIndexAndAddsNothing() {
    JsonNode before = counts(api.producer("GET", "/v1/queues", null).json());
    String items = "{\"items\":[{\"data\":1,\"timeoutSeconds\":5},{\"data\":2,\"timeoutSeconds\":5},"
        + "{\"data\":3,\"timeoutSeconds\":0}]}";
    String m = assertError(api.producer("POST", "/v1/work/batch", items), 400, "invalid_argument");
    assertTrue(m.startsWith("items[2]: 'timeoutSeconds'"), m);
    assertEquals(before, counts(api.producer("GET", "/v1/queues", null).json()));
    assertTrue(assertError(api.producer("POST", "/v1/work/batch", "{\"items\":[1]}"), 400, "malformed")
        .startsWith("items[0]: "));
    assertError(api.producer("POST", "/v1/work/batch", "{\"items\":[]}"), 400, "invalid_argument");
    assertError(api.producer("POST", "/v1/work/batch", "{\"work\":[]}"), 400, "malformed");
    String tooMany = "{\"items\":[" + "{\"data\":0,\"timeoutSeconds\":5},".repeat(10_000) + "{\"data\":0,"
        + "\"timeoutSeconds\":5}]}";
    assertTrue(assertError(api.producer("POST", "/v1/work/batch", tooMany), 400, "invalid_argument")
        .contains("10000"));
  }

  @Test
  void aWrongVerifyAnswerRevealsNothingAndIsThenRateLimited() {
    JsonNode reg = api.send("POST", "/v1/workers", null).json();
    String id = reg.get("workerId").asText();
    String wrong = "{\"response\":\"" + Signatures.randomToken() + "\"}";
    Response first = api.send("POST", "/v1/workers/" + id + "/verify", wrong);
    assertEquals("worker verification failed", assertError(first, 401, "unauthenticated"));
    assertEquals(first.body(), api.send("POST", "/v1/workers/w-unknown/verify", wrong).body(),
        "an unknown worker gets the very same answer");
    Response limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      Response r = api.send("POST", "/v1/workers/" + id + "/verify", wrong);
      limited = r.status() == 429 ? r : null;
    }
    assertTrue(limited != null, "rate limited after repeated failures");
    assertError(limited, 429, "rate_limited");
    assertEquals("10", limited.header("Retry-After"));
  }

  @Test
  void registrationRefusesABadBody() {
    assertError(api.send("POST", "/v1/workers", "[1]"), 400, "malformed");
    assertError(api.send("POST", "/v1/workers", "{\"queue\":\"bad queue\"}"), 400, "invalid_argument");
    assertTrue(assertError(api.send("POST", "/v1/workers", "{\"name\":\"" + "n".repeat(101) + "\"}"), 400,
        "invalid_argument").contains("'name' must be 1-100 characters"));
    assertError(api.send("POST", "/v1/workers", "{\"name\":\"a\\nb\"}"), 400, "invalid_argument");
    assertEquals(201, api.send("POST", "/v1/workers", "{\"name\":\"" + "n".repeat(100) + "\"}").status());
    // Typed as POST /v1/work types it: a number or an object is not a queue name.
    assertTrue(assertError(api.send("POST", "/v1/workers", "{\"queue\":5}"), 400, "invalid_argument")
        .contains("'queue' must be a string"));
    assertTrue(assertError(api.send("POST", "/v1/workers", "{\"queue\":{}}"), 400, "invalid_argument")
        .contains("'queue' must be a string"));
    assertTrue(assertError(api.send("POST", "/v1/workers", "{\"name\":[1]}"), 400, "invalid_argument")
        .contains("'name' must be a string"));
    assertEquals(201, api.send("POST", "/v1/workers", "{\"queue\":\"emails\",\"name\":\"box-1\"}").status());
  }

  @Test
  void aWrongContentTypeIsToleratedWhenTheBodyIsJson() {
    Response r = api.send("POST", "/v1/work", "{\"data\":{\"a\":1},\"timeoutSeconds\":30}",
        "Authorization", "Bearer " + RunningService.TOKEN, "Content-Type", "text/plain");
    assertEquals(202, r.status(), r.toString());
    JsonNode status = api.producer("GET", "/v1/work/" + r.json().get("workId").asText(), null).json();
    assertEquals("queued", status.get("state").asText());
    assertEquals(30, Duration.between(Instant.parse(status.get("createdAt").asText()),
        Instant.parse(status.get("deadline").asText())).getSeconds());
  }

  /** Registers and verifies a worker with the shared secret; returns {workerId, sessionKey}. */
  private String[] verifiedSession() {
    JsonNode reg = api.send("POST", "/v1/workers", null).json();
    String id = reg.get("workerId").asText();
    String response = Signatures.verifyResponse(SharedSecret.of(RunningService.SECRET), id,
        reg.get("challenge").asText());
    Response r = api.send("POST", "/v1/workers/" + id + "/verify", "{\"response\":\"" + response + "\"}");
    assertEquals(200, r.status(), r.toString());
    return new String[] {id, r.json().get("sessionKey").asText()};
  }
}
