package dev.gowork.cli.cancel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import dev.gowork.cli.http.StubCoordinator.Answer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code gowork cancel} against a stub coordinator: what it sends, prints and exits with. */
class CancelCommandTest {
  private final List<StubCoordinator.Request> seen = new CopyOnWriteArrayList<>();
  private final StubCoordinator stub = new StubCoordinator()
      .on("POST", "/v1/work/a/cancel", r -> {
        seen.add(r);
        return new Answer(200, "{\"workId\":\"a\",\"state\":\"cancelled\"}");
      })
      .on("POST", "/v1/work/done/cancel", r -> new Answer(409, "{\"error\":\"work done is already completed; only "
          + "queued, running or retrying work can be cancelled\",\"code\":\"conflict\"}"))
      .on("POST", "/v1/queues/emails/cancel", r -> {
        seen.add(r);
        return new Answer(200, "{\"queue\":\"emails\",\"cancelled\":12,\"forwarded\":3}");
      });
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void aCancelSendsItsReasonAndSaysWhatItDid() {
    Console c = new Console(env);
    assertEquals(0, c.run("cancel", "a", "--reason", "not \"needed\""), c.err());
    assertEquals("cancelled a", c.out().strip());
    assertEquals("{\"reason\":\"not \\\"needed\\\"\"}", seen.get(0).body());
    Console json = new Console(env);
    assertEquals(0, json.run("cancel", "a", "--json"), json.err());
    assertEquals("{\"workId\":\"a\",\"state\":\"cancelled\"}", json.out().strip());
    assertEquals("", seen.get(1).body(), "no reason, no body");
  }

  @Test
  void aRefusalNamesTheStateAndTheOtherIdsStillGo() {
    Console one = new Console(env);
    assertEquals(1, one.run("cancel", "done"));
    assertTrue(one.err().contains("answered 409: work done is already completed"), one.err());
    Console several = new Console(env);
    assertEquals(1, several.run("cancel", "done", "a"));
    assertEquals("cancelled a", several.out().strip());
    assertTrue(several.err().contains("already completed"), several.err());
  }

  @Test
  void aQueueIsCancelledWholeAndWhatOtherCoordinatorsOwnIsCounted() {
    Console c = new Console(env);
    assertEquals(0, c.run("cancel", "--queue", "emails", "--reason", "campaign stopped"), c.err());
    assertEquals("cancelled 12 unfinished work items of queue emails; 3 more sent to the other coordinators that "
        + "own them", c.out().strip());
    assertEquals("{\"reason\":\"campaign stopped\"}", seen.get(0).body());
  }

  @Test
  void badArgumentsAreRefusedBeforeAnyRequest() {
    Console none = new Console(env);
    assertEquals(2, none.run("cancel"));
    assertTrue(none.err().contains("cancel needs work ids or --queue QUEUE (not both)"), none.err());
    Console both = new Console(env);
    assertEquals(2, both.run("cancel", "a", "--queue", "emails"));
    Console longReason = new Console(env);
    assertEquals(2, longReason.run("cancel", "a", "--reason", "x".repeat(1001)));
    assertTrue(longReason.err().contains("--reason must be at most 1000 characters, was 1001"), longReason.err());
    Console badQueue = new Console(env);
    assertEquals(2, badQueue.run("cancel", "--queue", "no spaces"));
    assertTrue(badQueue.err().contains("--queue: queue name 'no spaces' is invalid"), badQueue.err());
    assertEquals(List.of(), seen);
  }
}
