package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's script as served, run in Node (skipped where there is none) against a live
 * coordinator on a minimal DOM: a refused token, the tables (running work, by its worker's name, and schedules among them), a lookup, deleting and requeueing dead
 * letters, cancelling running work, revoking a worker's session, and forgetting the token.
 */
@ExtendWith(KafkaExtension.class)
class DashboardScriptTest {

  @Test
  void theScriptShowsWhatTheApiSays(TestKafka kafka, @TempDir Path dir) throws Exception {
    assumeTrue(nodeAnswers(), "no node on the PATH");
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      String workId = api.producer("POST", "/v1/work", "{\"data\":{\"x\":\"<b>bold</b>\"},\"timeoutSeconds\":60}")
          .json().get("workId").asText();
      String workerId = api.send("POST", "/v1/workers", "{\"name\":\"web-1\"}").json().get("workerId").asText();
      List<String> dead = List.of(die(api), die(api));
      String busyId = api.producer("POST", "/v1/work", "{\"data\":2,\"timeoutSeconds\":60,\"queue\":\"busy\"}")
          .json().get("workId").asText();
      assertEquals(200, api.producer("PUT", "/v1/schedules/nightly", "{\"cron\":\"0 2 * * *\",\"data\":null,"
          + "\"timeoutSeconds\":60}").status());
      DocOnlyWorker busy = new DocOnlyWorker(api.base, RunningService.SECRET).handshake("<i>busy-1</i>");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (busy.next("busy").isEmpty()) {
        assertTrue(System.nanoTime() < end, "work " + busyId + " was not handed out within 60 s");
        Thread.sleep(50);
      }
      Path script = Files.writeString(dir.resolve("app.js"), api.send("GET", "/dashboard/app.js", null).body());
      Path harness = dir.resolve("harness.js");
      try (InputStream in = getClass().getResourceAsStream("dashboard-harness.js")) {
        Files.write(harness, in.readAllBytes());
      }

      JsonNode out = run(List.of("node", harness.toString(), script.toString(), api.base.toString().replaceAll("/+$", ""), RunningService.TOKEN,
          workId));

      JsonNode refused = out.get("wrongToken");
      assertTrue(refused.get("loginShown").asBoolean() && !refused.get("boardShown").asBoolean(), refused.toString());
      assertEquals("The coordinator refused this token (401).", refused.get("loginError").asText());
      assertTrue(refused.get("tokenStored").isNull(), "a refused token is not kept");

      JsonNode shown = out.get("rightToken");
      assertTrue(shown.get("boardShown").asBoolean() && !shown.get("loginShown").asBoolean(), shown.toString());
      assertTrue(shown.get("status").asText().startsWith("updated "), shown.toString());
      // The members column (index 8) depends on when the coordinator last counted the share groups.
      for (JsonNode row : shown.get("queues")) {
        assertTrue(row.get(8).asText().matches("–|\\d+ / \\d+( full)?"), "members: " + row);
        ((com.fasterxml.jackson.databind.node.ArrayNode) row).remove(8);
      }
      // The waiting column (index 6): default's work has waited since it was added, on the wall clock.
      JsonNode waitingDefault = shown.get("queues").get(1);
      assertTrue(waitingDefault.get(6).asText().matches("\\d\\.\\d s|\\d\\d s|\\d+ min"), "waiting: " + waitingDefault);
      ((com.fasterxml.jackson.databind.node.ArrayNode) waitingDefault).set(6, "(waited)");
      assertEquals("[[\"busy\",\"0\",\"1\",\"0\",\"0\",\"1\",\"0 s\",\"\",\"pause\"],[\"default\",\"1\",\"0\",\"0\",\"0\",\"1\","
          + "\"(waited)\",\"\",\"pause\"],[\"doomed\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0 s\",\"\",\"pause\"]]",
          shown.get("queues").toString());
      assertEquals("[\"0 s\",\"0.0 s\",\"2.1 s\",\"9.9 s\",\"10 s\",\"59 s\",\"1 min\",\"4 min\",\"1 h\",\"47 h\",\"2 d\"]",
          out.get("waiting").toString(), "the waiting column rounds down, in the unit that fits");
      JsonNode afterPause = out.get("afterPause");
      assertEquals("paused doomed", afterPause.get("status").asText().replaceAll("^updated [^·]+· ", ""),
          afterPause.toString());
      JsonNode doomed = afterPause.get("queues").get(2);
      assertEquals("[\"doomed\",\"paused\",\"resume\"]", new ObjectMapper().valueToTree(List.of(doomed.get(0),
          doomed.get(7), doomed.get(9))).toString(), "a paused queue offers resume");
      JsonNode running = shown.get("running");
      assertEquals(1, running.size(), running.toString());
      assertEquals("[\"" + busyId + "\",\"busy\",\"<i>busy-1</i> (" + busy.workerId + ")\",\"1 of 1\",\"–\"]",
          new ObjectMapper().valueToTree(List.of(running.get(0).get(0), running.get(0).get(1), running.get(0).get(2),
              running.get(0).get(3), running.get(0).get(4))).toString());
      assertTrue(running.get(0).get(5).asText().endsWith(" s ago"), running.toString());
      assertTrue(shown.get("workers").toString().contains("[\"" + workerId + "\",\"pending\",\"web-1\""),
          shown.toString());
      assertEquals(2, shown.get("dead").size(), shown.toString());
      JsonNode schedule = shown.get("schedules").get(0);
      assertEquals("[\"nightly\",\"0 2 * * * (UTC)\",\"default\",\"–\"]", new ObjectMapper().valueToTree(List.of(
          schedule.get(0), schedule.get(1), schedule.get(2), schedule.get(3))).toString(), "never run yet");
      assertTrue(schedule.get(4).asText().startsWith("in "), schedule.toString());
      assertEquals("[\"4\",\"added\"]", shown.get("totals").get(0).toString());
      assertEquals("[\"–\",\"p50 add → complete\"]", shown.get("totals").get(8).toString(), "no latency before a completion");
      assertEquals(RunningService.TOKEN, shown.get("tokenStored").asText());
      assertEquals(1, out.get("timersAfterConnect").asInt(), "one refresh scheduled");
      assertEquals(1, out.get("timersAfterOverlap").asInt(), "overlapping refreshes leave one schedule, not two");

      JsonNode lookedUp = new ObjectMapper().readTree(out.get("lookup").asText());
      assertEquals(workId, lookedUp.get("workId").asText());
      assertEquals("queued", lookedUp.get("state").asText());
      assertTrue(out.get("lookupMissing").get("text").asText().startsWith("404: no work with that id"),
          out.get("lookupMissing").toString());
      assertEquals("error", out.get("lookupMissing").get("className").asText());

      List<String> listed = List.of(out.get("deadBefore").get(0).asText(), out.get("deadBefore").get(1).asText());
      assertEquals(Set.copyOf(dead), Set.copyOf(listed));
      assertEquals(listed, List.of(out.get("afterCancel").get("dead").get(0).asText(),
          out.get("afterCancel").get("dead").get(1).asText()), "a cancelled delete deletes nothing");
      assertEquals("Delete dead work " + listed.get(0) + " for good? It can no longer be requeued.",
          out.get("afterCancel").get("confirmed").get(0).asText());
      assertTrue(out.get("afterDelete").get("status").asText().endsWith(" · deleted " + listed.get(0)),
          out.get("afterDelete").toString());
      assertEquals("[\"" + listed.get(1) + "\"]", out.get("afterDelete").get("dead").toString());
      assertEquals(404, api.producer("GET", "/v1/work/" + listed.get(0), null).status());
      assertTrue(out.get("afterRequeue").get("status").asText().endsWith(" · requeued " + listed.get(1)),
          out.get("afterRequeue").toString());
      assertEquals("[[\"none\"]]", out.get("afterRequeue").get("dead").toString());
      assertEquals("queued", api.producer("GET", "/v1/work/" + listed.get(1), null).json().get("state").asText());

      JsonNode cancelled = out.get("afterCancelWork");
      assertTrue(cancelled.get("status").asText().endsWith(" · cancelled " + busyId), cancelled.toString());
      assertEquals("[[\"nothing reported running\"]]", cancelled.get("running").toString());
      JsonNode asked = cancelled.get("confirmed");
      assertEquals("Cancel work " + busyId + "? Its worker is told to stop, and no result is kept.",
          asked.get(asked.size() - 1).asText());
      assertEquals("cancelled", api.producer("GET", "/v1/work/" + busyId, null).json().get("state").asText());

      JsonNode revoked = out.get("afterRevoke");
      String status = revoked.get("status").asText();
      assertTrue(status.matches(".* · revoked w-\\S+"), revoked.toString());
      String revokedId = status.substring(status.lastIndexOf(' ') + 1);
      assertTrue(revoked.get("workers").toString().contains("[\"" + revokedId + "\",\"revoked\""), revoked.toString());
      assertTrue(revoked.get("confirmed").toString().contains("Revoke the session of " + revokedId + "?"),
          revoked.toString());
      assertTrue(!revokedId.equals(workerId) && revoked.get("workers").toString().contains("[\"" + workerId
          + "\",\"pending\","), "the pending worker, listed first, has no session and no button: " + revoked);

      JsonNode withoutMetrics = out.get("metricsBlocked");
      assertTrue(withoutMetrics.get("status").asText().contains("totals unavailable"), withoutMetrics.toString());
      assertEquals(shown.get("queues").size(), withoutMetrics.get("queues").size(), "the queues still show without /metrics");
      assertEquals("[\"–\",\"added\"]", withoutMetrics.get("totals").get(0).toString());

      JsonNode forgotten = out.get("loggedOut");
      assertTrue(forgotten.get("loginShown").asBoolean() && !forgotten.get("boardShown").asBoolean());
      assertTrue(forgotten.get("tokenStored").isNull());
      assertNull(forgotten.get("loginError").textValue());
      assertEquals(0, out.get("timersAfterLogout").asInt(), "no polling without a token");
    }
  }

  /** Adds work with two attempts to queue {@code doomed} and fails both over HTTP; returns its id once dead. */
  private static String die(RunningService api) throws Exception {
    String id = api.producer("POST", "/v1/work", "{\"data\":1,\"timeoutSeconds\":120,\"maxAttempts\":2,"
        + "\"queue\":\"doomed\"}").json().get("workId").asText();
    DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!"dead".equals(api.producer("GET", "/v1/work/" + id, null).json().path("state").asText())) {
      assertTrue(System.nanoTime() < end, "work " + id + " did not die within 60 s");
      Optional<JsonNode> work = worker.next("doomed");
      if (work.isPresent()) {
        worker.submit(work.get(), "failed", null, "doomed");
      } else {
        Thread.sleep(50);
      }
    }
    return id;
  }

  private static JsonNode run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      output = in.readAllBytes();
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    return new ObjectMapper().readTree(text);
  }

  static boolean nodeAnswers() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
