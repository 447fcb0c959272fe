package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /v1/schedules} of a running service: define, read, list, delete, and every bad input a 4xx naming it. */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleApiTest {
  private RunningService api;

  @BeforeAll
  void start(TestKafka kafka) {
    api = RunningService.start(RunningService.env(kafka));
  }

  @AfterAll
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aScheduleIsDefinedReadListedRedefinedAndDeleted() {
    var put = api.producer("PUT", "/v1/schedules/nightly-report", "{\"cron\":\"0 2 * * *\",\"zone\":\"Europe/Paris\","
        + "\"data\":{\"report\":\"sales\"},\"timeoutSeconds\":600,\"queue\":\"reports\",\"maxAttempts\":3}");
    assertEquals(200, put.status(), put.toString());
    JsonNode s = put.json();
    assertEquals("nightly-report", s.get("name").asText());
    assertEquals("0 2 * * *", s.get("cron").asText());
    assertEquals("Europe/Paris", s.get("zone").asText());
    assertEquals("sales", s.get("data").get("report").asText());
    assertEquals("reports", s.get("queue").asText());
    assertEquals(3, s.get("maxAttempts").asInt());
    assertTrue(s.get("lastRunAt").isNull());
    Instant next = Instant.parse(s.get("nextRunAt").asText());
    assertTrue(next.isAfter(Instant.now()) && next.atZone(java.time.ZoneId.of("Europe/Paris")).getHour() == 2, s.toString());

    assertEquals(s, api.producer("GET", "/v1/schedules/nightly-report", null).json());
    String metrics = api.send("GET", "/metrics", null).body();
    assertTrue(metrics.contains("\ngowork_schedules 1.0\n") && metrics.contains("\ngowork_schedule_runs_total 0.0\n")
        && metrics.contains("\ngowork_schedule_run_failures_total 0.0\n"),
        "the schedule metrics");
    var redefined = api.producer("PUT", "/v1/schedules/nightly-report", "{\"everySeconds\":3600,\"data\":null,"
        + "\"timeoutSeconds\":60}");
    assertEquals(200, redefined.status(), redefined.toString());
    assertEquals(3600, redefined.json().get("everySeconds").asInt());
    assertTrue(redefined.json().get("cron") == null, "a redefinition replaces the whole definition");
    JsonNode list = api.producer("GET", "/v1/schedules", null).json().get("schedules");
    assertEquals(1, list.size());
    assertEquals(redefined.json(), list.get(0));

    var ran = api.producer("POST", "/v1/schedules/nightly-report/run", null);
    assertEquals(202, ran.status(), ran.toString());
    String manual = ran.json().get("workId").asText();
    assertTrue(manual.startsWith("nightly-report@manual-"), manual);
    assertEquals("queued", api.producer("GET", "/v1/work/" + manual, null).json().get("state").asText());
    assertTrue(api.producer("GET", "/v1/schedules/nightly-report", null).json().get("lastRunAt").isNull(),
        "a run by hand is not one of its runs");

    var deleted = api.producer("DELETE", "/v1/schedules/nightly-report", null);
    assertEquals(200, deleted.status(), deleted.toString());
    assertEquals(0, api.producer("GET", "/v1/schedules", null).json().get("schedules").size());
    assertError(api.producer("DELETE", "/v1/schedules/nightly-report", null), 404, "no schedule named 'nightly-report'");
    assertError(api.producer("GET", "/v1/schedules/nightly-report", null), 404, "no schedule named");
    assertError(api.producer("POST", "/v1/schedules/nightly-report/run", null), 404, "no schedule named");
  }

  @Test
  void badDefinitionsAre4xxNamingWhatIsWrong() {
    assertError(define("ok", "{\"data\":1,\"timeoutSeconds\":5}"), 400, "exactly one of 'cron'");
    assertError(define("ok", "{\"cron\":\"@daily\",\"everySeconds\":5,\"data\":1,\"timeoutSeconds\":5}"), 400,
        "exactly one of 'cron'");
    assertError(define("ok", "{\"cron\":\"61 * * * *\",\"data\":1,\"timeoutSeconds\":5}"), 400, "not a cron expression");
    assertError(define("ok", "{\"cron\":\"0 9 31 4 *\",\"data\":1,\"timeoutSeconds\":5}"), 400,
        "the cron expression '0 9 31 4 *' of schedule 'ok' never runs");
    assertError(define("ok", "{\"cron\":\"@daily\",\"zone\":\"Nowhere/Here\",\"data\":1,\"timeoutSeconds\":5}"), 400,
        "not a time zone");
    assertError(define("ok", "{\"everySeconds\":5,\"zone\":\"UTC\",\"data\":1,\"timeoutSeconds\":5}"), 400,
        "for cron schedules only");
    assertError(define("ok", "{\"everySeconds\":0,\"data\":1,\"timeoutSeconds\":5}"), 400, "'everySeconds' must be");
    assertError(define("ok", "{\"everySeconds\":5,\"timeoutSeconds\":5}"), 400, "missing field 'data'");
    assertError(define("ok", "{\"everySeconds\":5,\"data\":1}"), 400, "missing field 'timeoutSeconds'");
    assertError(define("ok", "{\"everySeconds\":5,\"data\":1,\"timeoutSeconds\":5,\"delaySeconds\":3}"), 400,
        "'delaySeconds' is not for schedules");
    assertError(define("ok", "{\"everySeconds\":5,\"data\":1,\"timeoutSeconds\":5,\"queue\":\"no spaces\"}"), 400,
        "queue");
    assertError(define("bad%20name", "{\"everySeconds\":5,\"data\":1,\"timeoutSeconds\":5}"), 400, "schedule name");
    assertError(define("ok", "[]"), 400, "JSON object");
    assertError(define("ok", "{\"everySeconds\":5,\"data\":\"" + "x".repeat(70_000) + "\",\"timeoutSeconds\":5}"), 413,
        "at most 65536 bytes");
    var anonymous = api.send("PUT", "/v1/schedules/ok", "{\"everySeconds\":5,\"data\":1,\"timeoutSeconds\":5}");
    assertError(anonymous, 401, "API token");
    assertEquals(0, api.producer("GET", "/v1/schedules", null).json().get("schedules").size(), "nothing was defined");
  }

  private RunningService.Response define(String name, String body) {
    return api.producer("PUT", "/v1/schedules/" + name, body);
  }

  private static void assertError(RunningService.Response r, int status, String text) {
    assertEquals(status, r.status(), r.toString());
    assertTrue(r.json().get("error").asText().contains(text), r.toString());
  }
}
