package dev.gowork.worker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.runtime.Health;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The endpoint alone, with a health of the test's choosing (the runtime's is tested over Kafka). */
class WorkerHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void probesFollowTheHealthAndAnswerJson() throws Exception {
    AtomicReference<Health> health = new AtomicReference<>(new Health(true, true, "ok"));
    try (WorkerHttp http = WorkerHttp.start("127.0.0.1", 0, registry, health::get)) {
      HttpResponse<String> ok = send(http, "GET", "/readyz");
      assertEquals(200, ok.statusCode());
      assertEquals("{\"status\":\"ok\",\"reason\":\"ok\"}", ok.body());
      assertEquals("application/json", ok.headers().firstValue("Content-Type").orElse(""));

      health.set(new Health(true, false, "draining for shutdown"));
      assertEquals(200, send(http, "GET", "/healthz").statusCode());
      HttpResponse<String> notReady = send(http, "GET", "/readyz");
      assertEquals(503, notReady.statusCode());
      assertEquals("{\"status\":\"unavailable\",\"reason\":\"draining for shutdown\"}", notReady.body());

      health.set(new Health(false, false, "stopped"));
      assertEquals(503, send(http, "GET", "/healthz").statusCode());
      HttpResponse<String> head = send(http, "HEAD", "/healthz");
      assertEquals(503, head.statusCode());
      assertEquals("", head.body());
    }
  }

  @Test
  void otherPathsAndMethodsGetAJsonErrorAndAThrowingCheckA500WithoutItsMessage() throws Exception {
    Supplier<Health> broken = () -> {
      throw new IllegalStateException("secret-looking internals");
    };
    try (WorkerHttp http = WorkerHttp.start("127.0.0.1", 0, registry, broken)) {
      HttpResponse<String> missing = send(http, "GET", "/v1/work");
      assertEquals(404, missing.statusCode());
      assertTrue(missing.body().startsWith("{\"error\":"), missing.body());
      HttpResponse<String> post = send(http, "POST", "/metrics");
      assertEquals(405, post.statusCode());
      assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
      HttpResponse<String> failed = send(http, "GET", "/healthz");
      assertEquals(500, failed.statusCode());
      assertFalse(failed.body().contains("secret-looking"), failed.body());
      assertEquals(200, send(http, "GET", "/metrics").statusCode());
    }
  }

  @Test
  void halfSentRequestsAreCutSoProbesStillAnswer() throws Exception {
    assertEquals(Long.toString(WorkerHttp.REQUEST_ARRIVAL.toSeconds()), System.getProperty("sun.net.httpserver.maxReqTime"),
        "the test JVM runs with WorkerHttp's limit (see the pom)");
    try (WorkerHttp http = WorkerHttp.start("127.0.0.1", 0, registry, () -> new Health(true, true, "ok"))) {
      java.util.List<java.net.Socket> stuck = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {   // more than the server's threads
          java.net.Socket s = new java.net.Socket("127.0.0.1", http.port());
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          stuck.add(s);
        }
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/healthz"))
            .timeout(Duration.ofSeconds(20)).build();
        assertEquals(200, client.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode(),
            "a probe is answered once the half-sent requests are cut");
      } finally {
        for (java.net.Socket s : stuck) {
          s.close();
        }
      }
    }
  }

  @Test
  void aTakenPortFailsNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      GoWorkException e = assertThrows(GoWorkException.class,
          () -> WorkerHttp.start("127.0.0.1", taken.getLocalPort(), registry, Health::starting));
      assertEquals(ErrorCode.UNAVAILABLE, e.code());
      assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void theAddressIsOffUnlessAPortIsSetAndBadValuesNameTheSetting() {
    assertEquals(Optional.empty(), HttpAddress.fromEnv(Map.of()));
    assertEquals(Optional.empty(), HttpAddress.fromEnv(Map.of("GOWORK_WORKER_HTTP_PORT", "none")));
    assertEquals(Optional.of(new HttpAddress("0.0.0.0", 9090)), HttpAddress.fromEnv(Map.of("GOWORK_WORKER_HTTP_PORT", "9090")));
    assertEquals(Optional.of(new HttpAddress("127.0.0.1", 0)),
        HttpAddress.fromEnv(Map.of("GOWORK_WORKER_HTTP_PORT", " 0 ", "GOWORK_WORKER_HTTP_HOST", "127.0.0.1")));
    for (String bad : new String[] {"http", "-1", "65536", "99999999999"}) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> HttpAddress.fromEnv(Map.of("GOWORK_WORKER_HTTP_PORT", bad)));
      assertTrue(e.getMessage().startsWith("GOWORK_WORKER_HTTP_PORT (--http-port) must be 0..65535 or none"), e.getMessage());
    }
    GoWorkException e = assertThrows(GoWorkException.class,
        () -> HttpAddress.fromEnv(Map.of("GOWORK_WORKER_HTTP_PORT", "1", "GOWORK_WORKER_HTTP_HOST", "a b")));
    assertTrue(e.getMessage().startsWith("GOWORK_WORKER_HTTP_HOST (--http-host)"), e.getMessage());
  }

  private HttpResponse<String> send(WorkerHttp http, String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
