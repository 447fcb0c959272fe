package dev.gowork.cli.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import dev.gowork.cli.http.StubCoordinator.Answer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code gowork queue pause|resume} against a stub coordinator: what it sends, prints and refuses. */
class QueueCommandTest {
  private final StubCoordinator stub = new StubCoordinator()
      .on("POST", "/v1/queues/emails/pause", r -> new Answer(200, "{\"queue\":\"emails\",\"paused\":true}"))
      .on("POST", "/v1/queues/emails/resume", r -> new Answer(200, "{\"queue\":\"emails\",\"paused\":false}"));
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void pauseSendsItsReasonAndResumeSendsNothing() {
    Console c = new Console(env);
    assertEquals(0, c.run("queue", "pause", "emails", "--reason", "smtp down"), c.err());
    assertEquals("paused emails\n", c.out());
    assertEquals("{\"reason\":\"smtp down\"}", stub.requests().get(0).body());
    Console r = new Console(env);
    assertEquals(0, r.run("queue", "resume", "emails"), r.err());
    assertEquals("resumed emails\n", r.out());
    assertEquals("", stub.requests().get(1).body());
  }

  @Test
  void badUseIsRefusedBeforeAnythingIsSent() {
    assertUsage("unknown action 'stop'", "queue", "stop", "emails");
    assertUsage("a queue name is 1-100 letters", "queue", "pause", "a b");
    assertUsage("--reason is for 'queue pause'", "queue", "resume", "emails", "--reason", "x");
    assertEquals(0, stub.requests().size());
  }

  private void assertUsage(String text, String... args) {
    Console c = new Console(env);
    assertEquals(2, c.run(args), c.out());
    assertTrue(c.err().contains(text), c.err());
  }
}
