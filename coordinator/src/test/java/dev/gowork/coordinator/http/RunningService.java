package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.CoordinatorService;
import dev.gowork.coordinator.config.CoordinatorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The coordinator service running in-process on the test's broker and topic prefix, on a free
 * port, configured the way an operator would (an env map), plus an HTTP client for it.
 */
final class RunningService implements AutoCloseable {
  static final String SECRET = "service-test-secret-0123456789-abcdef";
  static final String TOKEN = "service-test-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  final CoordinatorService service;
  final URI base;
  final HttpClient client;

  private RunningService(CoordinatorService service, HttpClient client) {
    this.service = service;
    this.base = service.baseUrl();
    this.client = client;
  }

  /** Env of a service on {@code kafka}: short share heartbeats and locks so that workers join quickly. */
  static Map<String, String> env(TestKafka kafka) {
    Map<String, String> env = new HashMap<>();
    env.put("GOWORK_SECRET", SECRET);
    env.put("GOWORK_API_TOKEN", TOKEN);
    env.put("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("GOWORK_TOPIC_PREFIX", kafka.topicPrefix());
    env.put("GOWORK_HTTP_HOST", "127.0.0.1");
    env.put("GOWORK_HTTP_PORT", "0");
    env.put("GOWORK_HTTP_THREADS", "4");
    env.put("GOWORK_SHARE_HEARTBEAT_MS", "500");
    env.put("GOWORK_SHARE_LOCK_SECONDS", "5");
    return env;
  }

  static RunningService start(Map<String, String> env) {
    return start(env, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  /** A service whose test requests go through {@code client} (e.g. one that trusts its TLS certificate). */
  static RunningService start(Map<String, String> env, HttpClient client) {
    return new RunningService(CoordinatorService.start(CoordinatorSettings.parse(env)), client);
  }

  /** One request; {@code headers} are name, value pairs. A null body sends none. */
  Response send(String method, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A producer's request, with the API token. */
  Response producer(String method, String path, String body) {
    return send(method, path, body, "Authorization", "Bearer " + TOKEN);
  }

  @Override
  public void close() {
    service.close();
  }

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
