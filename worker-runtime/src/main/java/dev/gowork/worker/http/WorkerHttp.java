package dev.gowork.worker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.runtime.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's probes and metrics on the JDK's {@link HttpServer}, with {@value #THREADS} threads of its own
 * and a bounded queue (a connection beyond it is closed):
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the replica is live, else 503 (restart it);
 *   <li>{@code GET /readyz}: 200 while it takes work, else 503;
 *   <li>{@code GET /metrics}: the registry in the Prometheus text format.
 * </ul>
 *
 * Both probes answer {@code {"status":"ok"|"unavailable","reason":...}}; any other path is a 404 and
 * any other method a 405, each with a JSON {@code error}. Nothing is read from a request body. A
 * request must arrive whole within {@link #REQUEST_ARRIVAL} and its answer be taken within
 * {@link #ANSWER_TAKEN}, or the connection is closed: without these limits two half-sent requests
 * held every thread, and each abandoned one kept a socket open for good. (They are the JDK server's
 * JVM-wide {@code sun.net.httpserver.maxReqTime} and {@code maxRspTime}, read when the JVM's first
 * server starts; a value the operator set wins.)
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * AtomicReference<WorkerRuntime> runtime = new AtomicReference<>();
 * try (WorkerHttp http = WorkerHttp.start("0.0.0.0", 9090, registry,
 *     () -> runtime.get() == null ? Health.starting() : runtime.get().health())) {
 *   runtime.set(WorkerRuntime.builder(settings).meterRegistry(registry).start());
 *   ...
 * }
 * }</pre>
 */
public final class WorkerHttp implements AutoCloseable {
  /** The Prometheus text format's content type. */
  public static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger LOG = LoggerFactory.getLogger(WorkerHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THREADS = 4;
  private static final int QUEUED_REQUESTS = 64;
  /** How long a request may take to arrive (probes and scrapes are a few hundred bytes). */
  static final Duration REQUEST_ARRIVAL = Duration.ofSeconds(5);
  /** How long a client may take to read an answer. */
  static final Duration ANSWER_TAKEN = Duration.ofSeconds(30);

  private final HttpServer server;
  private final ExecutorService threads;

  private WorkerHttp(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /**
   * Binds {@code host:port} (0 = any free port) and starts serving.
   *
   * @param health what the probes report, asked on every probe
   * @throws GoWorkException UNAVAILABLE naming the address when it cannot be bound (e.g. the port is taken)
   */
  public static WorkerHttp start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(health, "health");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_ARRIVAL.toSeconds()));
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(ANSWER_TAKEN.toSeconds()));
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException | RuntimeException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
          Thread t = new Thread(r, "gowork-worker-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    server.createContext("/", exchange -> answer(exchange, registry, health));
    server.setExecutor(threads);
    server.start();
    return new WorkerHttp(server, threads);
  }

  /** The bound port (the real one when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops listening and ends its threads. */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry, Supplier<Health> health) {
    try {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      boolean known = path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
      if (!known) {
        send(exchange, 404, "application/json", error("no such path; this replica serves /healthz, /readyz and /metrics"));
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "application/json", error(path + " answers GET only"));
      } else if (path.equals("/metrics")) {
        send(exchange, 200, METRICS_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
      } else {
        Health h = health.get();
        boolean ok = path.equals("/healthz") ? h.live() : h.ready();
        ObjectNode body = JSON.createObjectNode().put("status", ok ? "ok" : "unavailable").put("reason", h.reason());
        send(exchange, ok ? 200 : 503, "application/json", JSON.writeValueAsBytes(body));
      }
    } catch (IOException e) {
      LOG.debug("answering {} failed (the client went away?): {}", exchange.getRequestURI().getPath(), e.toString());
    } catch (RuntimeException e) {
      // A gauge or the health check threw: log it, answer without it.
      LOG.warn("answering {} failed", exchange.getRequestURI().getPath(), e);
      if (exchange.getResponseCode() == -1) {
        try {
          send(exchange, 500, "application/json", error("internal error; see the replica's log"));
        } catch (IOException ignored) {
          // the client went away
        }
      }
    } finally {
      exchange.close();
    }
  }

  private static byte[] error(String message) throws IOException {
    return JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
