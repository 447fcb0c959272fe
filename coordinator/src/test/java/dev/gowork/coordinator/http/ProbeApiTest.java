package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gowork.broker.wire.WireCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the probes answer for each problem, on a real JDK server; the problems are set by hand, no Kafka. */
class ProbeApiTest {
  private final AtomicReference<String> notLive = new AtomicReference<>();
  private final AtomicReference<String> notReady = new AtomicReference<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    if (server == null) {
      WireCodec codec = WireCodec.defaults();
      ProbeApi probes = new ProbeApi(() -> Optional.ofNullable(notLive.get()), () -> Optional.ofNullable(notReady.get()),
          null, codec);
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", new Router(probes.routes(), "probe-test-token-0123", codec, (m, r, s) -> { }));
      server.start();
    }
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void kafkaAwayMakesTheServiceUnreadyButStillLive() throws Exception {
    notReady.set("Kafka does not answer within 2000 ms");
    assertEquals(200, get("/healthz").statusCode());
    HttpResponse<String> ready = get("/readyz");
    assertEquals(503, ready.statusCode());
    assertTrue(ready.body().contains("Kafka does not answer"), ready.body());
  }

  @Test
  void aFencedCoordinatorFailsItsLivenessSoItIsReplaced() throws Exception {
    notLive.set("nothing can be committed any more: this coordinator was fenced by another instance");
    for (String path : new String[] {"/healthz", "/readyz"}) {
      HttpResponse<String> r = get(path);
      assertEquals(503, r.statusCode(), path);
      assertTrue(r.body().contains("fenced"), r.body());
    }
    notLive.set(null);
    assertEquals(200, get("/healthz").statusCode());
    assertEquals(200, get("/readyz").statusCode());
  }
}
