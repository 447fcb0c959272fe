package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router on a real JDK server with routes that fail on purpose; no Kafka. */
class RouterTest {
  private static final String TOKEN = "router-test-token-0123";
  private final ConcurrentLinkedQueue<String> counted = new ConcurrentLinkedQueue<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;
  private Router router;

  @BeforeEach
  void start() throws IOException {
    WireCodec codec = WireCodec.defaults();
    router = new Router(List.of(
        new Route("GET", "/boom", Access.PUBLIC, codec, call -> {
          throw new IllegalStateException("secret internals at dev.gowork.Foo");
        }),
        new Route("GET", "/kafka", Access.PUBLIC, codec, call -> {
          throw new TimeoutException("Timed out waiting for a node assignment. Call: createTopics");
        }),
        new Route("GET", "/bug", Access.PUBLIC, codec, call -> {
          throw new GoWorkException(ErrorCode.INTERNAL, "index 7 out of bounds in WorkTable");
        }),
        new Route("GET", "/things/{id}", Access.PRODUCER, codec,
            call -> Answer.json(200, JsonNodeFactory.instance.textNode(call.param("id")))),
        new Route("POST", "/things/next", Access.PUBLIC, codec, call -> Answer.json(200, JsonNodeFactory.instance.nullNode())),
        new Route("GET", "/wait", Access.PUBLIC, codec, call -> Answer.later(new java.util.concurrent.CompletableFuture<>()))),
        TOKEN, codec, (method, route, status) -> counted.add(method + " " + route + " " + status));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", router);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUnexpectedExceptionIsA500WithNothingInside() throws Exception {
    HttpResponse<String> r = get("/boom");
    assertEquals(500, r.statusCode());
    assertEquals("{\"error\":\"internal error\",\"code\":\"internal\"}", r.body());
    HttpResponse<String> bug = get("/bug");
    assertEquals(500, bug.statusCode());
    assertEquals("{\"error\":\"internal error\",\"code\":\"internal\"}", bug.body());
  }

  @Test
  void aKafkaFailureIsA503ThatSaysToRetry() throws Exception {
    HttpResponse<String> r = get("/kafka");
    assertEquals(503, r.statusCode());
    assertEquals("{\"error\":\"Kafka did not answer; try again later\",\"code\":\"unavailable\"}", r.body());
    assertEquals("10", r.headers().firstValue("Retry-After").orElse(null));
    assertFalse(r.body().contains("Exception"));
  }

  @Test
  void pathParametersAreDecodedAndTheTokenIsChecked() throws Exception {
    assertEquals(401, get("/things/a%20b").statusCode());
    assertEquals(401, get("/things/a", "Authorization", "Basic " + TOKEN).statusCode());
    HttpResponse<String> r = get("/things/a%20b+c", "Authorization", "bearer " + TOKEN);
    assertEquals(200, r.statusCode());
    assertEquals("\"a b+c\"", r.body());
    GoWorkException bad = assertThrows(GoWorkException.class, () -> Call.split("/things/%zz"));
    assertEquals(ErrorCode.MALFORMED, bad.code());
  }

  @Test
  void headAnswersLikeGetWithoutTheBody() throws Exception {
    HttpRequest head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
        + "/things/x")).header("Authorization", "Bearer " + TOKEN).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .build();
    HttpResponse<String> r = client.send(head, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(null));
    HttpRequest post = HttpRequest.newBuilder(head.uri()).POST(HttpRequest.BodyPublishers.noBody()).build();
    assertEquals("GET, HEAD", client.send(post, HttpResponse.BodyHandlers.ofString()).headers()
        .firstValue("Allow").orElse(null));
  }

  @Test
  void aLiteralPathIsNeverTakenForAParameterSoAWrongMethodThereIs405() throws Exception {
    HttpResponse<String> r = get("/things/next", "Authorization", "Bearer " + TOKEN);
    assertEquals(405, r.statusCode(), r.body());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(null));
    assertEquals(200, get("/things/nexts", "Authorization", "Bearer " + TOKEN).statusCode());
  }

  @Test
  void everyAnswerIsCountedByRouteTemplateAndStatus() throws Exception {
    get("/things/x", "Authorization", "Bearer " + TOKEN);
    get("/nowhere");
    get("/things/next");
    assertEquals(List.of("GET /things/{id} 200", "GET unmatched 404", "GET /things/next 405"), List.copyOf(counted));
  }

  @Test
  void aMadeUpMethodIsCountedAsOtherSoCallersCannotGrowTheMetrics() throws Exception {
    for (String method : List.of("ZZ123", "X" + "Y".repeat(500))) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.getAddress().getPort() + "/things/x")).method(method, HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, r.statusCode(), r.body());
      assertTrue(r.body().length() < 300, r.body());
    }
    assertEquals(List.of("other /things/{id} 405", "other /things/{id} 405"), List.copyOf(counted));
  }

  @Test
  void whileClosingNewRequestsGet503() throws Exception {
    router.startClosing();
    HttpResponse<String> r = get("/things/x", "Authorization", "Bearer " + TOKEN);
    assertEquals(503, r.statusCode());
    assertEquals("unavailable", WireCodec.defaults().parse(r.body().getBytes()).value().get("code").asText());
    assertEquals("10", r.headers().firstValue("Retry-After").orElse(null), "as every 503: try again");
  }

  /** A long poll waiting when the coordinator starts shutting down is answered at once: a clean 503 to retry. */
  @Test
  void aLongPollWaitingWhenClosingStartsGetsA503ToRetry() throws Exception {
    var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return get("/wait");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    dev.gowork.coordinator.testing.Poll.until(() -> router.inFlight() > 0, java.time.Duration.ofSeconds(10),
        "the long poll to wait");
    router.startClosing();
    HttpResponse<String> r = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(503, r.statusCode());
    assertEquals("{\"error\":\"the coordinator is shutting down\",\"code\":\"unavailable\"}", r.body());
    assertEquals("10", r.headers().firstValue("Retry-After").orElse(null));
  }
}
