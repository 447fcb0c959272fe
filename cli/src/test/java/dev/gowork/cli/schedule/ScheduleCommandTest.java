package dev.gowork.cli.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import dev.gowork.cli.http.StubCoordinator.Answer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code gowork schedule} sends and prints, against a stub of the coordinator's HTTP API. */
class ScheduleCommandTest {
  private static final String NIGHTLY = "{\"name\":\"nightly\",\"cron\":\"0 2 * * *\",\"zone\":\"Europe/Paris\","
      + "\"queue\":\"reports\",\"data\":{\"r\":1},\"timeoutSeconds\":600,\"maxAttempts\":1,\"definedAt\":\"d\","
      + "\"lastRunAt\":\"l\",\"lastWorkId\":\"nightly@l\",\"nextRunAt\":\"n\"}";
  private final StubCoordinator stub = new StubCoordinator()
      .on("GET", "/v1/schedules", r -> new Answer(200, "{\"schedules\":[" + NIGHTLY + ",{\"name\":\"sync\","
          + "\"everySeconds\":300,\"queue\":\"default\",\"lastRunAt\":null,\"nextRunAt\":\"m\"}]}"))
      .on("PUT", "/v1/schedules/nightly", r -> new Answer(200, NIGHTLY))
      .on("DELETE", "/v1/schedules/nightly", r -> new Answer(200, "{\"name\":\"nightly\",\"deleted\":true}"))
      .on("POST", "/v1/schedules/nightly/run", r -> new Answer(202, "{\"workId\":\"nightly@manual-t\"}"));
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void listIsTheDefaultAndShowsWhenEachRuns() {
    Console c = new Console(env);
    assertEquals(0, c.run("schedule"), c.err());
    assertEquals("""
        NAME     WHEN                           QUEUE    LASTRUN  NEXTRUN
        nightly  cron '0 2 * * *' Europe/Paris  reports  l        n
        sync     every 300 s                    default  -        m
        """, c.out());
  }

  @Test
  void setSendsTheDefinitionAndPrintsTheScheduleAsDefined() throws Exception {
    Console c = new Console(env);
    assertEquals(0, c.run("schedule", "set", "nightly", "--cron", "0 2 * * *", "--zone", "Europe/Paris", "--data",
        "{\"r\":1}", "--timeout", "600", "--queue", "reports"), c.err());
    JsonNode sent = new ObjectMapper().readTree(stub.requests().get(0).body());
    assertEquals(new ObjectMapper().readTree("{\"cron\":\"0 2 * * *\",\"zone\":\"Europe/Paris\",\"data\":{\"r\":1},"
        + "\"timeoutSeconds\":600,\"queue\":\"reports\"}"), sent);
    assertTrue(c.out().contains("when       cron '0 2 * * *' Europe/Paris\n"), c.out());
    assertTrue(c.out().contains("lastRun    l (nightly@l)\n"), c.out());
  }

  @Test
  void aDefinitionOutOfRangeNamesTheFlagAndSendsNothing() {
    String[][] cases = {
        {"--every", "0", "--every must be between 1 and 2678400 (31 days); was 0"},
        {"--timeout", "604801", "--timeout must be between 1 and 604800 (7 days); was 604801"},
        {"--max-attempts", "101", "--max-attempts must be between 1 and 100; was 101"},
        {"--queue", "a b", "--queue: queue name 'a b' is invalid"}};
    for (String[] c : cases) {
      Console console = new Console(env);
      String[] args = c[0].equals("--every") ? new String[] {"schedule", "set", "sync", c[0], c[1]}
          : new String[] {"schedule", "set", "sync", "--every", "300", c[0], c[1]};
      assertEquals(2, console.run(args), c[0] + ": " + console.err());
      assertTrue(console.err().startsWith("gowork: " + c[2]), console.err());
    }
    assertEquals(0, stub.requests().size(), "nothing is sent: " + stub.requests());
  }

  @Test
  void runAddsTheWorkNowAndPrintsItsId() {
    Console c = new Console(env);
    assertEquals(0, c.run("schedule", "run", "nightly"), c.err());
    assertEquals("nightly@manual-t\n", c.out());
  }

  @Test
  void deleteSendsADeleteAndSaysSo() {
    Console c = new Console(env);
    assertEquals(0, c.run("schedule", "delete", "nightly"), c.err());
    assertEquals("deleted schedule nightly\n", c.out());
  }

  @Test
  void badUseIsRefusedBeforeAnythingIsSent() {
    assertUsage("schedule set needs exactly one of --cron EXPR and --every SECONDS", "schedule", "set", "x");
    assertUsage("schedule set needs exactly one of --cron EXPR and --every SECONDS", "schedule", "set", "x", "--cron", "@daily",
        "--every", "5");
    assertUsage("--zone is for --cron schedules only", "schedule", "set", "x", "--every", "5", "--zone", "UTC");
    assertUsage("--data is not JSON", "schedule", "set", "x", "--every", "5", "--data", "{nope");
    assertUsage("are for 'schedule set'", "schedule", "show", "x", "--every", "5");
    assertUsage("schedule delete needs a schedule name", "schedule", "delete");
    assertUsage("a schedule name is 1-100 letters", "schedule", "show", "a/b");
    assertUsage("unknown action 'start'", "schedule", "start", "x");
    assertEquals(0, stub.requests().size());
  }

  private void assertUsage(String text, String... args) {
    Console c = new Console(env);
    assertEquals(2, c.run(args), c.out());
    assertTrue(c.err().contains(text), c.err());
  }
}
