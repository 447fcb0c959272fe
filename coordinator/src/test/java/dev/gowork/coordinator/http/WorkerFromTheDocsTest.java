package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.http.RunningService.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end over HTTP with workers that know only docs/protocol.md ({@link DocOnlyWorker}): register,
 * verify, take work (over HTTP, or from Kafka through the share group), report the result, and see
 * it in {@code GET /v1/work/{id}}.
 */
@ExtendWith(KafkaExtension.class)
class WorkerFromTheDocsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private RunningService api;

  @BeforeEach
  void start(TestKafka kafka) {
    api = RunningService.start(RunningService.env(kafka));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void anHttpWorkerTakesWorkAndCompletesIt() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":{\"n\":21},\"timeoutSeconds\":60}");
    JsonNode work = until(() -> worker.next("default").orElse(null), "work over HTTP");
    assertEquals(id, work.get("workId").asText());
    assertEquals(21, work.get("data").get("n").asInt());
    assertTrue(work.hasNonNull("createdAt") && work.hasNonNull("deadline") && work.get("attempt").asInt() == 1);
    assertEquals("running", api.producer("GET", "/v1/work/" + id, null).json().get("state").asText());
    JsonNode running = api.producer("GET", "/v1/running", null).json();
    assertEquals(1, running.get("total").asInt(), running.toString());
    assertEquals(worker.workerId, running.get("items").get(0).get("workerId").asText());

    assertEquals(202, worker.progress(work, 40, "halfway"));
    JsonNode progress = until(() -> api.producer("GET", "/v1/work/" + id, null).json().get("progress"),
        "the progress in the status");
    assertEquals("{\"percent\":40,\"message\":\"halfway\"}", progress.toString());
    assertEquals(429, worker.progress(work, 50, "too soon"), "at most one report a second");

    assertEquals(202, worker.submit(work, "completed", JSON.readTree("{\"doubled\":42}"), null));
    JsonNode status = completed(id);
    assertEquals(42, status.get("result").get("doubled").asInt());
    assertEquals(worker.workerId, status.get("workerId").asText());
    assertEquals(1, status.get("attempts").asInt());
    assertEquals(0, api.producer("GET", "/v1/running", null).json().get("total").asInt());
    // Listeners (metrics) see an event once its transaction committed, a moment after the state changed.
    until(() -> api.producer("GET", "/metrics", null).body().contains("gowork_work_completed_total 1.0"),
        "the completion counted");
  }

  @Test
  void aKafkaWorkerReadsTheShareGroupAndSignsItsResult() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":\"hello\",\"timeoutSeconds\":60,\"queue\":\"kq\"}");
    JsonNode work = worker.workThroughKafka("kq", WAIT, JSON.readTree("{\"ok\":true}"));
    assertEquals(id, work.get("workId").asText());
    assertEquals("hello", work.get("data").asText());
    JsonNode status = completed(id);
    assertTrue(status.get("result").get("ok").asBoolean());
    assertEquals("kq", status.get("queue").asText());
  }

  @Test
  void aKafkaWorkersRunningNoticeShowsTheWorkRunningWithItsProgress() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":\"long\",\"timeoutSeconds\":60,\"queue\":\"kq\"}");
    JsonNode[] seen = new JsonNode[2];
    worker.workThroughKafka("kq", WAIT, JSON.readTree("{\"percent\":40,\"message\":\"2 of 5 files\"}"), workId -> {
      try {
        seen[0] = until(() -> {
          JsonNode s = api.producer("GET", "/v1/work/" + workId, null).json();
          return "running".equals(s.path("state").asText()) ? s : null;
        }, "the notice applied");
        seen[1] = api.producer("GET", "/v1/running?limit=5", null).json();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, JSON.readTree("{\"ok\":true}"));
    assertEquals(worker.workerId, seen[0].get("workerId").asText());
    assertEquals(40, seen[0].get("progress").get("percent").asInt());
    assertEquals("2 of 5 files", seen[0].get("progress").get("message").asText());
    assertEquals(id, seen[1].get("items").get(0).get("workId").asText());
    JsonNode done = completed(id);
    assertFalse(done.has("progress"), done.toString());
    assertEquals(1, done.get("attempts").asInt(), "the notice did not use up the attempt's result");
  }

  @Test
  void failedAttemptsEndInTheDeadLettersAndCanBeRequeued() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":1,\"timeoutSeconds\":120,\"maxAttempts\":2}");
    for (int attempt = 1; attempt <= 2; attempt++) {
      JsonNode work = until(() -> worker.next("default").orElse(null), "attempt " + attempt);
      assertEquals(attempt, work.get("attempt").asInt());
      assertEquals(202, worker.submit(work, "failed", null, "disk full"));
    }
    until(() -> api.producer("GET", "/v1/dead", null).json().get("items").size() == 1, "a dead letter");
    JsonNode dead = api.producer("GET", "/v1/dead", null).json().get("items").get(0);
    assertEquals(id, dead.get("workId").asText());
    assertEquals("dead", dead.get("state").asText());
    assertEquals("disk full", dead.get("error").asText());

    assertEquals(202, api.producer("POST", "/v1/dead/" + id + "/requeue", null).status());
    assertEquals(409, api.producer("POST", "/v1/dead/" + id + "/requeue", null).status());
    JsonNode again = until(() -> worker.next("default").orElse(null), "the requeued work");
    assertEquals(3, again.get("attempt").asInt());
    assertEquals(202, worker.submit(again, "completed", JSON.readTree("7"), null));
    assertEquals(7, completed(id).get("result").asInt());
  }

  @Test
  void aDeadLetterCanBeDeletedButNotOtherWork() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":1,\"timeoutSeconds\":120,\"maxAttempts\":2,\"queue\":\"deleted\"}");
    for (int attempt = 1; attempt <= 2; attempt++) {
      JsonNode work = until(() -> worker.next("deleted").orElse(null), "attempt " + attempt);
      assertEquals(202, worker.submit(work, "failed", null, "disk full"));
    }
    until(() -> "dead".equals(api.producer("GET", "/v1/work/" + id, null).json().path("state").asText()), "dead");
    String open = add("{\"data\":2,\"timeoutSeconds\":120,\"queue\":\"deleted\"}");
    Response notDead = api.producer("DELETE", "/v1/dead/" + open, null);
    assertEquals(409, notDead.status(), notDead.toString());
    assertEquals("work " + open + " is queued, not dead", notDead.json().get("error").asText());

    Response deleted = api.producer("DELETE", "/v1/dead/" + id, null);
    assertEquals(200, deleted.status(), deleted.toString());
    assertTrue(deleted.json().get("deleted").asBoolean());
    assertEquals(404, api.producer("GET", "/v1/work/" + id, null).status());
    assertEquals(404, api.producer("DELETE", "/v1/dead/" + id, null).status());
    JsonNode dead = api.producer("GET", "/v1/dead", null).json();
    assertTrue(dead.get("items").findValuesAsText("workId").stream().noneMatch(id::equals));
  }

  @Test
  void cancelsAndRevocationsArePublishedForWorkersAndTakeEffectAtOnce() throws Exception {
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    String id = add("{\"data\":1,\"timeoutSeconds\":60}");
    JsonNode work = until(() -> worker.next("default").orElse(null), "work over HTTP");
    JsonNode cancelled = api.producer("POST", "/v1/work/" + id + "/cancel", "{\"reason\":\"not needed\"}").json();
    assertEquals("cancelled", cancelled.get("state").asText(), cancelled.toString());
    assertEquals(worker.workerId, cancelled.get("workerId").asText());

    JsonNode notice = worker.controlNotice(id, WAIT);
    assertEquals("gowork.cancel/v1", notice.get("schema").asText());
    assertEquals("default", notice.get("queue").asText());
    assertEquals(1, notice.get("attempt").asInt());
    assertEquals(work.get("deadline").asText(), notice.get("deadline").asText());
    assertTrue(notice.hasNonNull("cancelledAt"), notice.toString());
    assertEquals("not needed", notice.get("reason").asText());

    assertEquals(409, worker.progress(work, 10, "still going?"), "a progress report tells the worker it is over");
    assertEquals(409, worker.submit(work, "completed", JSON.readTree("1"), null));
    assertEquals("cancelled", api.producer("GET", "/v1/work/" + id, null).json().get("state").asText());
    assertEquals(0, api.producer("GET", "/v1/running", null).json().get("total").asInt());

    assertEquals(200, api.producer("POST", "/v1/workers/" + worker.workerId + "/revoke", null).status());
    JsonNode revoked = worker.controlNotice(worker.workerId, WAIT);
    assertEquals("gowork.revoke/v1", revoked.get("schema").asText());
    assertEquals(worker.workerId, revoked.get("workerId").asText());
    assertTrue(revoked.hasNonNull("revokedAt"), revoked.toString());
    AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> worker.next("default"));
    assertTrue(refused.getMessage().startsWith("next answered 401"), refused.getMessage());
  }

  @Test
  void theDocOnlyWorkerUsesNoProjectClass() throws Exception {
    String source = Files.readString(Path.of("src/test/java/dev/gowork/coordinator/http/DocOnlyWorker.java"));
    String body = source.substring(source.indexOf(';') + 1);
    assertFalse(body.contains("dev.gowork"), "DocOnlyWorker must be written from docs/protocol.md alone");
    Optional<String> foreign = source.lines().filter(l -> l.startsWith("import "))
        .filter(l -> !l.matches("import (java|javax|com\\.fasterxml\\.jackson|org\\.apache\\.kafka\\.clients|"
            + "org\\.apache\\.kafka\\.common\\.serialization)\\..*|import org\\.apache\\.kafka\\.common\\.TopicPartition;"))
        .findFirst();
    assertEquals(Optional.empty(), foreign);
  }

  private String add(String body) {
    Response r = api.producer("POST", "/v1/work", body);
    assertEquals(202, r.status(), r.toString());
    return r.json().get("workId").asText();
  }

  private JsonNode completed(String id) throws Exception {
    return until(() -> {
      JsonNode s = api.producer("GET", "/v1/work/" + id, null).json();
      return "completed".equals(s.get("state").asText()) ? s : null;
    }, "work " + id + " to complete");
  }

  /** The first non-null, non-false value of {@code check} within {@link #WAIT}. */
  private static <T> T until(Callable<T> check, String what) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      T v = check.call();
      if (v != null && !Boolean.FALSE.equals(v)) {
        return v;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
