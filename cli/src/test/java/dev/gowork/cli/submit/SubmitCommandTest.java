package dev.gowork.cli.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicInteger nextId = new AtomicInteger();
  private final StubCoordinator stub = new StubCoordinator().on("POST", "/v1/work/batch", r -> {
    try {
      int n = JSON.readTree(r.body()).get("items").size();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add("\"w" + nextId.incrementAndGet() + "\"");
      }
      return new StubCoordinator.Answer(202, "{\"workIds\":[" + String.join(",", ids) + "]}");
    } catch (Exception e) {
      return new StubCoordinator.Answer(400, "{\"error\":\"" + e.getMessage() + "\"}");
    }
  });
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url(), "GOWORK_API_TOKEN", "tok");

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void anIdOfTheCallersIsSentAndARepeatSaysItWasAddedBefore() throws Exception {
    stub.on("POST", "/v1/work", r -> new StubCoordinator.Answer(202, "{\"workId\":\"order-42\",\"alreadyAdded\":true}"));
    Console c = new Console(env);
    assertEquals(0, c.run("submit", "--id", "order-42", "--queue", "orders", "{\"order\":42}"), c.err());
    assertEquals("order-42\n", c.out());
    assertEquals("gowork: work order-42 was added before; it was not added again\n", c.err());
    JsonNode sent = JSON.readTree(stub.requests().get(0).body());
    assertEquals("order-42", sent.get("workId").asText());
    assertEquals("orders", sent.get("queue").asText());
    assertEquals(42, sent.get("data").get("order").asInt());

    Console two = new Console(env);
    assertEquals(2, two.run("submit", "--id", "x", "1", "2"));
    assertTrue(two.err().contains("--id names one work item; 2 were given"), two.err());
    assertEquals(1, stub.requests().size(), "nothing sent for the refused one");

    Console bad = new Console(env);
    assertEquals(2, bad.run("submit", "--id", "order 42!", "{}"));
    assertTrue(bad.err().contains("--id must be 1-200 letters, digits"), bad.err());
    assertTrue(bad.err().contains("'order 42!'"), bad.err());
    assertEquals(1, stub.requests().size(), "nothing sent for a bad id");
  }

  @Test
  void waitingPrintsEachItemsFinalStatusAndExitsZeroOnlyWhenAllCompleted() {
    stub.on("GET", "/v1/work/w1", r -> new StubCoordinator.Answer(200,
        "{\"workId\":\"w1\",\"state\":\"completed\",\"result\":{\"sum\":3}}"));
    stub.on("GET", "/v1/work/w2", r -> new StubCoordinator.Answer(200, "{\"workId\":\"w2\",\"state\":\"timed_out\"}"));
    Console one = new Console(env);
    assertEquals(0, one.run("submit", "--wait", "60", "--json", "{\"a\":1}"), one.err());
    assertEquals("{\"workId\":\"w1\",\"state\":\"completed\",\"result\":{\"sum\":3}}\n", one.out());
    assertEquals("wait=30", stub.requests().get(1).query());

    Console both = new Console(env);
    assertEquals(1, both.run("submit", "--wait", "60", "{\"a\":2}"), both.err());
    assertTrue(both.out().contains("timed_out"), both.out());
    assertTrue(both.out().startsWith("workId     w2\n"), "statuses, not ids: " + both.out());
  }

  @Test
  void waitingGoesOnPastAnItemWhoseWaitFailedAndNamesIt() {
    stub.on("GET", "/v1/work/w1", r -> new StubCoordinator.Answer(503,
        "{\"error\":\"the coordinator is shutting down\",\"code\":\"unavailable\"}"));
    stub.on("GET", "/v1/work/w2", r -> new StubCoordinator.Answer(200, "{\"workId\":\"w2\",\"state\":\"completed\"}"));
    Console c = new Console(env);
    assertEquals(1, c.run("submit", "--wait", "60", "--json", "{\"a\":1}", "{\"a\":2}"));
    assertTrue(c.err().contains("/v1/work/w1") && c.err().contains("503"), c.err());
    assertEquals("{\"workId\":\"w2\",\"state\":\"completed\"}\n", c.out(), "the other item is still shown");
  }

  @Test
  void waitingAfterARefusedBatchStillPrintsTheIdsAlreadyAccepted(@TempDir Path dir) throws Exception {
    AtomicInteger batches = new AtomicInteger();
    stub.on("POST", "/v1/work/batch", r -> {
      if (batches.incrementAndGet() > 1) {
        return new StubCoordinator.Answer(400, "{\"error\":\"no\",\"code\":\"invalid_argument\"}");
      }
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= BatchSubmitter.MAX_ITEMS_PER_REQUEST; i++) {
        ids.add("\"w" + i + "\"");
      }
      return new StubCoordinator.Answer(202, "{\"workIds\":[" + String.join(",", ids) + "]}");
    });
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i <= BatchSubmitter.MAX_ITEMS_PER_REQUEST; i++) {
      lines.append("{\"n\":").append(i).append("}\n");
    }
    Path file = Files.writeString(dir.resolve("work.jsonl"), lines);
    Console c = new Console(env);
    assertEquals(1, c.run("submit", "--wait", "60", "--file", file.toString()));
    assertTrue(c.err().contains("the 1000 items before them were submitted"), c.err());
    assertEquals(BatchSubmitter.MAX_ITEMS_PER_REQUEST, c.out().lines().count(), "the accepted ids: " + c.out());
    assertTrue(c.out().startsWith("w1\nw2\n"), c.out());

    batches.set(0);
    Console json = new Console(env);
    assertEquals(1, json.run("submit", "--wait", "60", "--json", "--file", file.toString()));
    assertEquals(BatchSubmitter.MAX_ITEMS_PER_REQUEST, JSON.readTree(json.out()).get("workIds").size(), json.out());
  }

  private JsonNode body(int request) throws Exception {
    return JSON.readTree(stub.requests().get(request).body());
  }

  @Test
  void argumentsBecomeOneBatchAndTheIdsArePrintedOnePerLine() throws Exception {
    Console c = new Console(env);
    assertEquals(0, c.run("submit", "--queue", "images", "--timeout", "30", "--max-attempts", "3", "{\"x\":1}", "{\"y\":2}"),
        c.err());
    assertEquals("w1\nw2\n", c.out());
    assertEquals("Bearer tok", stub.requests().get(0).authorization());
    JsonNode item = body(0).get("items").get(1);
    assertEquals("{\"data\":{\"y\":2},\"timeoutSeconds\":30,\"queue\":\"images\",\"maxAttempts\":3}", item.toString());
  }

  @Test
  void aDelayIsSentWithEachItemAndCheckedFirst() throws Exception {
    Console c = new Console(env);
    assertEquals(0, c.run("submit", "--delay", "90", "{\"x\":1}"), c.err());
    assertEquals("{\"data\":{\"x\":1},\"timeoutSeconds\":60,\"delaySeconds\":90}",
        body(0).get("items").get(0).toString());
    Console tooLong = new Console(env);
    assertEquals(2, tooLong.run("submit", "--delay", "604801", "{}"));
    assertTrue(tooLong.err().contains("--delay"), tooLong.err());
    assertEquals(1, stub.requests().size(), "nothing sent for the bad one");
  }

  @Test
  void defaultsAreATimeoutOf60AndNoQueueOrAttempts() throws Exception {
    Console c = new Console(env);
    assertEquals(0, c.run("submit", "{}"), c.err());
    assertEquals("{\"data\":{},\"timeoutSeconds\":60}", body(0).get("items").get(0).toString());
  }

  @Test
  void manyItemsGoInBatchesOfAThousand(@TempDir Path dir) throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 2500; i++) {
      lines.append("{\"n\":").append(i).append("}\n");
    }
    Path file = Files.writeString(dir.resolve("work.jsonl"), lines);
    Console c = new Console(env);
    assertEquals(0, c.run("submit", "--file", file.toString(), "--json"), c.err());
    assertEquals(List.of(1000, 1000, 500), stub.requests().stream().map(r -> {
      try {
        return JSON.readTree(r.body()).get("items").size();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).toList());
    JsonNode printed = JSON.readTree(c.out());
    assertEquals(2500, printed.get("workIds").size());
    assertEquals(2499, body(2).get("items").get(499).get("data").get("n").asInt());
  }

  @Test
  void stdinIsRead() {
    Console c = new Console(env, "[{\"a\":1},{\"a\":2},{\"a\":3}]");
    assertEquals(0, c.run("submit", "-"), c.err());
    assertEquals(3, c.out().lines().count());
  }

  @Test
  void aRefusedBatchSaysWhichItemsAndWhy() {
    stub.on("POST", "/v1/work/batch", r -> new StubCoordinator.Answer(400,
        "{\"error\":\"items[1]: data is required\",\"code\":\"invalid_argument\"}"));
    Console c = new Console(env);
    assertEquals(1, c.run("submit", "{}", "{}"));
    assertTrue(c.err().contains("items 1 to 2 were not submitted: POST /v1/work/batch answered 400: items[1]: data is required "
        + "(invalid_argument)"), c.err());
  }

  @Test
  void badJsonOnStdinNamesTheLineAndSendsNothing() {
    Console c = new Console(env, "{\"a\":1}\n{\"a\":}\n");
    assertEquals(2, c.run("submit", "-"));
    assertTrue(c.err().contains("stdin line 2"), c.err());
    assertEquals(0, stub.requests().size());
  }

  @Test
  void stdinMixedWithArgumentsIsAUsageErrorThatSaysSo() {
    Console c = new Console(env, "{\"a\":1}\n");
    assertEquals(2, c.run("submit", "{\"x\":1}", "-"));
    assertTrue(c.err().contains("'-' reads the work from stdin; it cannot be combined with other arguments"), c.err());
    assertEquals(0, stub.requests().size());
  }

  @Test
  void nothingToSubmitIsAUsageError() {
    Console c = new Console(env);
    assertEquals(2, c.run("submit"));
    assertTrue(c.err().contains("nothing to submit"), c.err());
  }

  @Test
  void anUnknownHostIsNamedAsSuch() {
    Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", "http://no-such-host.invalid:8080"));
    assertEquals(1, c.run("submit", "{}"));
    assertTrue(c.err().contains("cannot reach the coordinator at http://no-such-host.invalid:8080 "
        + "(GOWORK_COORDINATOR_URL): unknown host 'no-such-host.invalid'"), c.err());
  }

  @Test
  void somethingThatIsNotACoordinatorIsReportedWithoutJavaNames() throws Exception {
    try (ServerSocket notHttp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread closer = new Thread(() -> {
        while (!notHttp.isClosed()) {
          try (Socket s = notHttp.accept()) {
            s.getInputStream().read();
          } catch (IOException e) {
            return;
          }
        }
      });
      closer.setDaemon(true);
      closer.start();
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", "http://127.0.0.1:" + notHttp.getLocalPort()));
      assertEquals(1, c.run("submit", "{}"));
      assertTrue(c.err().contains("(is GOWORK_COORDINATOR_URL the URL of a GoWork coordinator?)"), c.err());
      assertFalse(c.err().contains("java."), c.err());
    }
  }

  @Test
  void anUnreachableCoordinatorIsNamedWithItsSetting() {
    Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", "http://127.0.0.1:1"));
    assertEquals(1, c.run("submit", "{}"));
    assertTrue(c.err().contains("cannot reach the coordinator at http://127.0.0.1:1 (GOWORK_COORDINATOR_URL): "
        + "connection refused (is the coordinator running, and is that its address?)"), c.err());
  }
}
