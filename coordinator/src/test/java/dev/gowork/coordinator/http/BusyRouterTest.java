package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.gowork.broker.wire.WireCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests stuck on a slow dependency (as adds on Kafka while it is away) take every thread but the
 * probes': liveness still answers, the next stuck-prone request gets 503 at once. Real JDK server, no Kafka.
 */
class BusyRouterTest {
  private static final int THREADS = 4;

  @Test
  void probesAnswerWhileEveryOtherThreadWaitsAndTheRestGet503AtOnce() throws Exception {
    WireCodec codec = WireCodec.defaults();
    CountDownLatch release = new CountDownLatch(1);
    Semaphore entered = new Semaphore(0);
    Router router = new Router(List.of(
        new Route("POST", "/slow", Access.PUBLIC, codec, call -> {
          entered.release();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Answer.json(200, JsonNodeFactory.instance.nullNode());
        }),
        new Route("GET", "/healthz", Access.PUBLIC, codec, call -> Answer.json(200, JsonNodeFactory.instance.nullNode()))),
        "busy-test-token-0123", codec, (m, r, s) -> { }, THREADS - 2, Set.of("/healthz"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    server.createContext("/", router);
    server.setExecutor(pool);
    server.start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
      for (int i = 0; i < THREADS - 2; i++) {
        stuck.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/slow"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
      }
      assertTrue(entered.tryAcquire(THREADS - 2, 10, TimeUnit.SECONDS), "the slow requests to take their threads");

      HttpResponse<String> more = client.send(HttpRequest.newBuilder(URI.create(base + "/slow"))
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, more.statusCode(), more.body());
      assertTrue(more.body().contains("busy"), more.body());
      assertEquals("1", more.headers().firstValue("Retry-After").orElse(null));
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode());
      }

      release.countDown();
      for (CompletableFuture<HttpResponse<String>> f : stuck) {
        assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
      }
      // The permits came back.
      assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + "/slow"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    } finally {
      release.countDown();
      server.stop(0);
      pool.shutdownNow();
    }
  }
}
