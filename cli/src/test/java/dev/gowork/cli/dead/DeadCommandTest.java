package dev.gowork.cli.dead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import dev.gowork.cli.http.StubCoordinator.Answer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadCommandTest {
  private final StubCoordinator stub = new StubCoordinator()
      .on("GET", "/v1/dead", r -> new Answer(200, "{\"items\":[{\"workId\":\"a\",\"queue\":\"default\",\"state\":\"dead\","
          + "\"attempts\":3,\"error\":\"boom\",\"updatedAt\":\"t\"}]}"))
      .on("POST", "/v1/dead/a/requeue", r -> new Answer(202, ""))
      .on("DELETE", "/v1/dead/a", r -> new Answer(200, "{\"workId\":\"a\",\"deleted\":true}"));
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void listIsTheDefault() {
    Console c = new Console(env);
    assertEquals(0, c.run("dead"), c.err());
    assertEquals("WORKID  QUEUE    ATTEMPTS  UPDATEDAT  ERROR\na       default  3         t          boom\n", c.out());
  }

  @Test
  void aListCutShortSaysHowManyThereAre() {
    try (StubCoordinator many = new StubCoordinator().on("GET", "/v1/dead", r -> new Answer(200,
        "{\"total\":12345,\"items\":[{\"workId\":\"a\",\"queue\":\"q\",\"attempts\":2,\"error\":\"e\","
            + "\"updatedAt\":\"t\"}]}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", many.url()));
      assertEquals(0, c.run("dead", "list"), c.err());
      assertTrue(c.out().endsWith("(the newest 1 of 12345 dead items)\n"), c.out());
    }
  }

  @Test
  void anOverLongIdIsRefusedByItsLengthWithoutBeingEchoedOrSent() {
    Console c = new Console(env);
    String id = "abcdefghijklmnopqrstuvwxyz".repeat(40);
    assertEquals(2, c.run("dead", "show", id));
    assertTrue(c.err().contains("work id must be 1 to 200 characters; was 1040 ('abcdefghijklmnopqrstuvwx…')"), c.err());
    assertFalse(c.err().contains(id), c.err());
    assertEquals(2, c.run("dead", "requeue", " "));
    assertTrue(c.err().contains("was blank"), c.err());
    assertEquals(0, stub.requests().size());
  }

  @Test
  void requeuePostsAndSaysSo() {
    Console c = new Console(env);
    assertEquals(0, c.run("dead", "requeue", "a"), c.err());
    assertEquals("requeued a\n", c.out());
    assertEquals("POST", stub.requests().get(0).method());
  }

  @Test
  void deleteSendsADeleteAndSaysSo() {
    Console c = new Console(env);
    assertEquals(0, c.run("dead", "delete", "a"), c.err());
    assertEquals("deleted a\n", c.out());
    assertEquals("DELETE", stub.requests().get(0).method());
    assertEquals(2, c.run("dead", "delete"));
    assertTrue(c.err().contains("dead delete needs a work id"), c.err());
  }

  @Test
  void showRefusesWorkThatIsNotDead() {
    stub.on("GET", "/v1/work/b", r -> new Answer(200, "{\"workId\":\"b\",\"state\":\"completed\"}"));
    Console c = new Console(env);
    assertEquals(1, c.run("dead", "show", "b"));
    assertEquals("gowork: work b is completed, not dead (gowork status b shows any work)\n", c.err());
  }

  @Test
  void showAndRequeueNeedAnId() {
    Console c = new Console(env);
    assertEquals(2, c.run("dead", "show"));
    assertTrue(c.err().contains("dead show needs a work id"), c.err());
    assertEquals(2, c.run("dead", "bury", "a"));
    assertTrue(c.err().contains("unknown action 'bury'"), c.err());
  }
}
