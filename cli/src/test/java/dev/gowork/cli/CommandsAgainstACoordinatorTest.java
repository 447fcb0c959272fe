package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit, status, events and dead against a real coordinator service and worker (child JVMs) on the
 * test broker.
 */
@ExtendWith(KafkaExtension.class)
class CommandsAgainstACoordinatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(240)
  void submitThenFollowEventsThenStatus(TestKafka kafka, @TempDir Path dir) throws Exception {
    try (ServiceProcesses services = new ServiceProcesses(dir)) {
      services.startCoordinator(kafka.bootstrapServers(), kafka.topicPrefix());
      services.startWorker("worker-1", "sleep");
      Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", services.url(),
          "GOWORK_API_TOKEN", ServiceProcesses.TOKEN, "GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
          "GOWORK_TOPIC_PREFIX", kafka.topicPrefix());

      // Without the API token, or with another one, the refusal says which and what to set.
      Console noToken = new Console(Map.of("GOWORK_COORDINATOR_URL", services.url()));
      assertEquals(1, noToken.run("submit", "{\"x\":0}"), noToken.err());
      assertTrue(noToken.err().startsWith("gowork: item 1 was not submitted: POST /v1/work/batch answered 401: ")
          && noToken.err().contains("(GOWORK_API_TOKEN is not set: set GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE to the "
              + "coordinator's token)"), noToken.err());
      Console otherToken = new Console(Map.of("GOWORK_COORDINATOR_URL", services.url(),
          "GOWORK_API_TOKEN", "not-the-coordinators-token"));
      assertEquals(1, otherToken.run("status"), otherToken.err());
      assertTrue(otherToken.err().contains("(the token from GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE is not this "
          + "coordinator's"), otherToken.err());

      Console submit = new Console(env);
      assertEquals(0, submit.run("submit", "{\"x\":1}", "{\"x\":2}", "{\"x\":3}"), submit.err());
      List<String> ids = submit.out().lines().toList();
      assertEquals(3, ids.size(), submit.out());

      Console events = new Console(env);
      assertEquals(0, events.run("events", "--from-beginning", "--type", "work_complete", "--json", "--max", "3"),
          events.err() + services.log("worker-1"));
      Set<String> completed = new HashSet<>();
      for (String line : events.out().lines().toList()) {
        JsonNode e = JSON.readTree(line);
        assertEquals("work_complete", e.get("type").asText());
        completed.add(e.get("workId").asText());
      }
      assertEquals(Set.copyOf(ids), completed);

      Console status = new Console(env);
      assertEquals(0, status.run("status", ids.get(0)), status.err());
      assertTrue(status.out().contains("state      completed"), status.out());
      assertTrue(status.out().contains("{\"x\":1}"), "sleep returns the data: " + status.out());

      // Work that runs past the worker's 1 s running notice shows as running, with its worker and its
      // progress, then completes.
      Console slow = new Console(env);
      assertEquals(0, slow.run("submit", "{\"ms\":2500}"), slow.err());
      String slowId = slow.out().strip();
      awaitStatus(env, slowId, "state      running", services);
      Console running = new Console(env);
      assertEquals(0, running.run("status", slowId), running.err());
      assertTrue(running.out().matches("(?s).*workerId   \\S+.*"), running.out());
      // The sleep handler reports its progress every half second; the worker sends it on.
      awaitStatus(env, slowId, "% slept ", services);
      Console started = new Console(env);
      assertEquals(0, started.run("events", "--from-beginning", "--type", "work_started", "--json", "--max", "1"),
          started.err());
      assertEquals(slowId, JSON.readTree(started.out()).get("workId").asText());
      awaitStatus(env, slowId, "state      completed", services);

      // Submit and wait: the coordinator answers the long poll when the work completes.
      Console waited = new Console(env);
      assertEquals(0, waited.run("submit", "--wait", "60", "--json", "{\"ms\":300,\"n\":7}"), waited.err());
      JsonNode done = JSON.readTree(waited.out());
      assertEquals("completed", done.get("state").asText(), waited.out());
      assertEquals(7, done.get("result").get("n").asInt(), waited.out());

      // Delayed work has run no attempt yet, and says so.
      Console delayed = new Console(env);
      assertEquals(0, delayed.run("submit", "--delay", "600", "{\"ms\":1}"), delayed.err());
      String delayedId = delayed.out().strip();
      Console waiting = new Console(env);
      assertEquals(0, waiting.run("status", delayedId), waiting.err());
      assertTrue(waiting.out().contains("state      scheduled\n") && waiting.out().contains("attempts   0 of 1\n"),
          waiting.out());
      assertEquals(0, new Console(env).run("cancel", delayedId));

      // Long work cancelled while it runs: the worker is told, the sleep handler stops at once (it
      // honours cancellation), and no result is written.
      Console longOne = new Console(env);
      assertEquals(0, longOne.run("submit", "{\"ms\":60000}"), longOne.err());
      String longId = longOne.out().strip();
      awaitStatus(env, longId, "state      running", services);
      Console cancel = new Console(env);
      assertEquals(0, cancel.run("cancel", longId, "--reason", "changed my mind"), cancel.err());
      assertEquals("cancelled " + longId, cancel.out().strip());
      awaitStatus(env, longId, "cancelled: changed my mind", services);
      long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (!services.log("worker-1").contains("signalled its handler to stop") && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertTrue(services.log("worker-1").contains("work " + longId + " attempt 1 ("), services.log("worker-1"));
      assertTrue(services.log("worker-1").contains("was cancelled; signalled its handler to stop"),
          services.log("worker-1"));
      Console again = new Console(env);
      assertEquals(1, again.run("cancel", longId));
      assertTrue(again.err().contains("is already cancelled"), again.err());

      // Repeating work: a schedule of every second adds work that the worker runs; deleted, it adds no more.
      Console set = new Console(env);
      assertEquals(0, set.run("schedule", "set", "tick", "--every", "1", "--data", "{\"ms\":1}", "--timeout", "30"),
          set.err());
      assertTrue(set.out().contains("when       every 1 s\n"), set.out());
      String ran = awaitScheduleRun(env, "tick");
      assertTrue(ran.startsWith("tick@"), ran);
      awaitStatus(env, ran, "state      completed", services);
      Console unset = new Console(env);
      assertEquals(0, unset.run("schedule", "delete", "tick"), unset.err());
      Console none = new Console(env);
      assertEquals(0, none.run("schedule"), none.err());
      assertEquals("no schedules", none.out().strip());

      Console overview = new Console(env);
      assertEquals(0, overview.run("status"), overview.err());
      assertTrue(overview.out().startsWith("QUEUE"), overview.out());
      assertTrue(overview.out().contains("\ndefault "), overview.out());
      // The replica's name (GOWORK_WORKER_NAME, by default <host>-<pid>) is listed with its worker id.
      assertTrue(overview.out().contains("WORKERID") && overview.out().contains(" NAME "), overview.out());

      Console dead = new Console(env);
      assertEquals(0, dead.run("dead"), dead.err());
      assertEquals("no dead work", dead.out().strip());

      Console denied = new Console(Map.of("GOWORK_COORDINATOR_URL", services.url()));
      assertEquals(1, denied.run("status"));
      assertTrue(denied.err().contains("answered 401"), denied.err());
    }
    assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "children left running");
  }

  /** Runs {@code gowork schedule show NAME --json} until it names a last run's work id (up to 30 s); returns it. */
  private static String awaitScheduleRun(Map<String, String> env, String name) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline) {
      Console c = new Console(env);
      assertEquals(0, c.run("schedule", "show", name, "--json"), c.err());
      last = c.out();
      JsonNode id = JSON.readTree(last).get("lastWorkId");
      if (id != null && !id.isNull()) {
        return id.asText();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("schedule " + name + " never ran: " + last);
  }

  /** Runs {@code gowork status ID} until its answer contains {@code expected} (up to 30 s). */
  private static void awaitStatus(Map<String, String> env, String id, String expected, ServiceProcesses services)
      throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline) {
      Console c = new Console(env);
      assertEquals(0, c.run("status", id), c.err());
      last = c.out();
      if (last.contains(expected)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("status never showed '" + expected + "':\n" + last + services.log("worker-1"));
  }

}
