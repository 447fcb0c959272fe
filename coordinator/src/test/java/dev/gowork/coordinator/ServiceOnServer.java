package dev.gowork.coordinator;

import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.coordinator.http.HttpService;
import dev.gowork.coordinator.metrics.ServiceMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API over a test's work server, as the coordinator service runs it, and an HTTP client for it
 * whose calls return the response, or the IOException when there was none (a connection closed under it).
 */
final class ServiceOnServer implements AutoCloseable {
  /** The HTTP service's settings need one; the work server has the fixture's. */
  private static final String SECRET_TEXT = "service-on-server-secret-0123456789-abcdef";
  private static final String TOKEN = "service-on-server-token-0123456789";
  final HttpService service;
  final ServiceMetrics metrics;
  final HttpClient client = HttpClient.newHttpClient();

  ServiceOnServer(TestKafka k, WorkServer server) {
    CoordinatorSettings settings = CoordinatorSettings.parse(Map.of("GOWORK_SECRET", SECRET_TEXT,
        "GOWORK_API_TOKEN", TOKEN, "GOWORK_BOOTSTRAP_SERVERS", k.bootstrapServers(),
        "GOWORK_TOPIC_PREFIX", k.topicPrefix(), "GOWORK_HTTP_HOST", "127.0.0.1", "GOWORK_HTTP_PORT", "0"));
    metrics = ServiceMetrics.bind(server);
    service = HttpService.start(settings, server, k.bootstrapServers(), metrics, Optional::empty);
  }

  /** POST /v1/work/next as an HTTP worker. */
  Object next(Session s, String queue) {
    return send(request("/v1/work/next?queue=" + queue).POST(HttpRequest.BodyPublishers.noBody())
        .header("X-Gowork-Worker-Id", s.workerId()).header("Authorization", "Bearer " + s.sessionKey()));
  }

  /** A POST with a JSON body as an HTTP worker (a result, a progress report). */
  Object postAsWorker(Session s, String path, String json) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json")
        .header("X-Gowork-Worker-Id", s.workerId()).header("Authorization", "Bearer " + s.sessionKey()));
  }

  /** A POST with a JSON body as a producer, with the API token. */
  Object post(String path, String json) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN));
  }

  /** A GET as a producer, with the API token. */
  Object get(String path) {
    return send(request(path).GET().header("Authorization", "Bearer " + TOKEN));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(60));
  }

  private Object send(HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  @Override
  public void close() {
    service.close();
    metrics.close();
  }
}
