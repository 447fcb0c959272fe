package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/node-http-worker/worker.mjs, a worker in plain Node.js written from docs/protocol.md, against
 * a live coordinator (skipped where there is no node): it verifies, takes work over HTTP, completes and
 * fails it as its handler says, and stops cleanly on SIGTERM.
 */
@ExtendWith(KafkaExtension.class)
class NodeHttpWorkerTest {
  private static final Path WORKER = Path.of("..", "examples", "node-http-worker", "worker.mjs");

  @Test
  void theNodeExampleWorkerRunsWorkFromTheProtocolPageAlone(TestKafka kafka, @TempDir Path dir) throws Exception {
    assumeTrue(DashboardScriptTest.nodeAnswers(), "no node on the PATH");
    assertTrue(Files.isRegularFile(WORKER), WORKER.toAbsolutePath().toString());
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      Path log = dir.resolve("worker.log");
      Process worker = node(Map.of("GOWORK_COORDINATOR_URL", api.base.toString(), "GOWORK_SECRET", RunningService.SECRET,
          "GOWORK_QUEUE", "polyglot"), log);
      try {
        var added = api.producer("POST", "/v1/work/batch", "{\"items\":["
            + "{\"queue\":\"polyglot\",\"timeoutSeconds\":60,\"data\":{\"text\":\"three little words\"}},"
            + "{\"queue\":\"polyglot\",\"timeoutSeconds\":60,\"data\":{\"x\":1}},"
            + "{\"queue\":\"polyglot\",\"timeoutSeconds\":60,\"data\":{\"fail\":\"no such customer\"}}]}");
        assertEquals(202, added.status(), added.toString());
        JsonNode ids = added.json().get("workIds");

        JsonNode counted = finished(api, ids.get(0).asText(), log);
        assertEquals("completed", counted.get("state").asText(), counted.toString());
        assertEquals("{\"words\":3,\"by\":\"node\"}", counted.get("result").toString());
        JsonNode echoed = finished(api, ids.get(1).asText(), log);
        assertEquals("{\"echo\":{\"x\":1},\"by\":\"node\"}", echoed.get("result").toString());
        JsonNode failed = finished(api, ids.get(2).asText(), log);
        assertEquals("failed", failed.get("state").asText(), failed.toString());
        assertEquals("no such customer", failed.get("error").asText());
        assertTrue(failed.get("workerId").asText().startsWith("w-"), failed.toString());
      } finally {
        worker.destroy(); // SIGTERM: it finishes what it holds and exits
      }
      assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker did not stop on SIGTERM\n" + Files.readString(log));
      assertEquals(0, worker.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("worker.mjs: stopped"), Files.readString(log));
    }
  }

  /**
   * A queue the coordinator refuses (a new one past GOWORK_MAX_QUEUES, 409) is not asked for again
   * every second, silently: the worker stops with exit code 2 and the coordinator's reason.
   */
  @Test
  void theNodeExampleWorkerStopsOnAQueueTheCoordinatorRefuses(TestKafka kafka, @TempDir Path dir) throws Exception {
    assumeTrue(DashboardScriptTest.nodeAnswers(), "no node on the PATH");
    var env = RunningService.env(kafka);
    env.put("GOWORK_MAX_QUEUES", "1"); // "default" is the one
    try (RunningService api = RunningService.start(env)) {
      Path log = dir.resolve("worker.log");
      Process worker = node(Map.of("GOWORK_COORDINATOR_URL", api.base.toString(), "GOWORK_SECRET", RunningService.SECRET,
          "GOWORK_QUEUE", "one-too-many"), log);
      try {
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker kept asking\n" + Files.readString(log));
      } finally {
        worker.destroyForcibly();
      }
      assertEquals(2, worker.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("answered 409") && Files.readString(log).contains("GOWORK_MAX_QUEUES=1"),
          Files.readString(log));
    }
  }

  /**
   * The example worker with exactly {@code env} as its GoWork settings: the test JVM's own {@code GOWORK_*}
   * variables are dropped, so a developer's exported {@code GOWORK_SECRET_FILE} (which the example refuses
   * together with {@code GOWORK_SECRET}) or {@code GOWORK_QUEUE} does not change what it runs.
   */
  private static Process node(Map<String, String> env, Path log) throws java.io.IOException {
    ProcessBuilder pb = new ProcessBuilder("node", WORKER.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GOWORK_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** The item's status once finished: the long poll answers when it ends. */
  private static JsonNode finished(RunningService api, String id, Path log) throws Exception {
    for (int i = 0; i < 4; i++) {
      JsonNode s = api.producer("GET", "/v1/work/" + id + "?wait=25", null).json();
      if (!s.get("state").asText().matches("queued|running")) {
        return s;
      }
    }
    throw new AssertionError("work " + id + " did not finish\n" + Files.readString(log));
  }
}
