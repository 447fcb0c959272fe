package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.http.RunningService.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web dashboard: served without a token, locked down by its content security policy, free of
 * anything that policy would block, and calling only endpoints the API has.
 */
@ExtendWith(KafkaExtension.class)
class DashboardTest {
  private static final Pattern API_PATH = Pattern.compile("'(/(?:v1|metrics)[^']*)'");

  @Test
  void servesThePageAndItsFilesWithALockedDownPolicy(TestKafka kafka) {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      Response root = api.send("GET", "/", null);
      assertEquals(302, root.status());
      assertEquals("/dashboard", root.header("Location"));
      assertEquals(204, api.send("GET", "/favicon.ico", null).status(), "browsers ask for it; no 404 in their console");

      Map<String, String> types = Map.of("/dashboard", "text/html", "/dashboard/app.js", "text/javascript",
          "/dashboard/app.css", "text/css");
      types.forEach((path, type) -> {
        Response r = api.send("GET", path, null);
        assertEquals(200, r.status(), path);
        assertTrue(r.header("Content-Type").startsWith(type), path + ": " + r.header("Content-Type"));
        assertEquals(DashboardApi.SECURITY_POLICY, r.header("Content-Security-Policy"), path);
        assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
        assertFalse(r.body().isBlank(), path);
      });
      String page = api.send("GET", "/dashboard", null).body();
      assertTrue(page.contains("<script src=\"/dashboard/app.js\" defer></script>"), page);
      assertTrue(page.contains("<link rel=\"stylesheet\" href=\"/dashboard/app.css\">"), page);
    }
  }

  @Test
  void thePageHasNothingThePolicyBlocksAndNoHtmlFromData(TestKafka kafka) {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      String page = api.send("GET", "/dashboard", null).body();
      String script = api.send("GET", "/dashboard/app.js", null).body();
      assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)").matcher(page).find(), "an inline script");
      assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(page).find(),
          "inline style or event handler");
      assertFalse(Pattern.compile("https?://").matcher(page + script).find(), "a file from another origin");
      for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
          "new Function")) {
        assertFalse(script.contains(sink), "the script must not use " + sink);
      }
    }
  }

  @Test
  void everyCallOfTheScriptIsAnEndpointOfTheApi(TestKafka kafka) {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      String script = api.send("GET", "/dashboard/app.js", null).body();
      Set<String> literals = new TreeSet<>();
      Matcher m = API_PATH.matcher(script);
      while (m.find()) {
        literals.add(m.group(1));
      }
      assertEquals(Set.of("/v1/queues", "/v1/running?limit=", "/v1/workers", "/v1/dead?limit=", "/metrics", "/v1/work/",
          "/v1/dead/", "/v1/workers/", "/v1/schedules", "/v1/schedules/", "/v1/queues/"), literals,
          "the paths the script calls; a new one needs a check below");

      String workId = api.producer("POST", "/v1/work", "{\"data\":1,\"timeoutSeconds\":60}").json().get("workId")
          .asText();
      for (String path : List.of("/v1/queues", "/v1/running?limit=200", "/v1/workers", "/v1/dead?limit=200", "/metrics",
          "/v1/work/" + workId, "/v1/schedules")) {
        Response r = api.producer("GET", path, null);
        assertEquals(200, r.status(), path + ": " + r);
      }
      Response requeue = api.producer("POST", "/v1/dead/" + workId + "/requeue", null);
      assertEquals(409, requeue.status(), "a route that refuses work that is not dead: " + requeue);
      Response discard = api.producer("DELETE", "/v1/dead/" + workId, null);
      assertEquals(409, discard.status(), "a route that refuses work that is not dead: " + discard);
      assertTrue(script.contains("'/cancel'") && script.contains("'/revoke'"), "the cancel and revoke calls");
      Response cancel = api.producer("POST", "/v1/work/" + workId + "/cancel", null);
      assertEquals(200, cancel.status(), cancel.toString());
      Response revoke = api.producer("POST", "/v1/workers/w-unknown/revoke", null);
      assertEquals(404, revoke.status(), revoke.toString());
      assertTrue(revoke.body().contains("no worker with that id"), "the route exists: " + revoke);

      assertTrue(script.contains("'/pause'") && script.contains("'/resume'") && script.contains("'/run'"),
          "the pause, resume and run-now calls");
      assertEquals(200, api.producer("POST", "/v1/queues/default/pause", null).status());
      assertEquals(200, api.producer("POST", "/v1/queues/default/resume", null).status());
      Response runNow = api.producer("POST", "/v1/schedules/none/run", null);
      assertEquals(404, runNow.status(), runNow.toString());
      assertTrue(runNow.body().contains("no schedule named 'none'"), "the route exists: " + runNow);
      Response unschedule = api.producer("DELETE", "/v1/schedules/none", null);
      assertEquals(404, unschedule.status(), unschedule.toString());
      assertTrue(unschedule.body().contains("no schedule named 'none'"), "the route exists: " + unschedule);

      Response metrics = api.send("GET", "/metrics", null);
      for (Matcher q = Pattern.compile("\\['(gowork_[^']+)'").matcher(script); q.find(); ) {
        String series = q.group(1);
        assertTrue(metrics.body().contains(series + " "), "the script reads " + series + ", which /metrics lacks");
      }
    }
  }
}
