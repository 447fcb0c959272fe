package dev.gowork.cli.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A canned HTTP answerer standing in for the coordinator's producer API in command unit tests
 * (the real coordinator is exercised by the integration tests). Records every request.
 */
public final class StubCoordinator implements AutoCloseable {
  /** One request as received. */
  public record Request(String method, String path, String authorization, String body, String query) {}

  /** An answer: status and JSON body (may be empty). */
  public record Answer(int status, String body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Function<Request, Answer>> routes = new ConcurrentHashMap<>();

  public StubCoordinator() {
    this(null);
  }

  /** A stub that serves HTTPS with {@code tls} (plain HTTP when null). */
  public StubCoordinator(SSLContext tls) {
    try {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      if (tls == null) {
        server = HttpServer.create(address, 0);
      } else {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request r = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestHeaders().getFirst("Authorization"), body, exchange.getRequestURI().getRawQuery());
      requests.add(r);
      Function<Request, Answer> route = routes.get(r.method() + " " + r.path());
      Answer a = route == null ? new Answer(404, "{\"error\":\"no route\",\"code\":\"not_found\"}") : route.apply(r);
      byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
  }

  /** Answers {@code method path} (raw path, no query) with {@code answer}. */
  public StubCoordinator on(String method, String path, Function<Request, Answer> answer) {
    routes.put(method + " " + path, answer);
    return this;
  }

  public String url() {
    return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
