package dev.gowork.coordinator.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.coordinator.metrics.ServiceMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP API (docs/coordinator.md) on the JDK's {@link HttpServer}: JSON in and out, a
 * fixed pool of {@code httpThreads} threads named {@code gowork-http-<n>} with a bounded queue (when
 * it is full, new connections are closed: the accepting thread never runs a request itself). A
 * request must arrive whole within {@link #REQUEST_ARRIVAL} and an answer be taken within
 * {@link #ANSWER_TAKEN}, or the connection is closed, so slow clients cannot hold every thread.
 * With {@code GOWORK_TLS_KEYSTORE} both listeners serve HTTPS only.
 * Handlers are thin: they parse, call one {@link WorkServer} method and answer.
 *
 * <pre>{@code
 * try (HttpService http = HttpService.start(settings, server, "127.0.0.1:9092", metrics, readiness)) {
 *   System.out.println("port " + http.port());
 * }
 * }</pre>
 */
public final class HttpService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);
  private static final int QUEUED_REQUESTS = 1024;
  /** Threads kept for /healthz, /readyz and /metrics when every other request is busy. */
  private static final int PROBE_THREADS = 2;
  /** How long a request (line, headers, body) may take to arrive (the JDK server's {@code maxReqTime}). */
  static final Duration REQUEST_ARRIVAL = Duration.ofSeconds(30);
  /** How long a client may take to read an answer (the JDK server's {@code maxRspTime}). */
  static final Duration ANSWER_TAKEN = Duration.ofSeconds(60);
  private static final Duration GRACE = Duration.ofSeconds(5);

  /** Threads of the management listener (GOWORK_MANAGEMENT_PORT), which serves only probes and metrics. */
  private static final int MANAGEMENT_THREADS = 2;

  private final HttpServer server;
  private final ThreadPoolExecutor pool;
  private final Router router;
  /** Stops the work server's hand-outs ({@link WorkServer#stopHandouts}) when this service closes. */
  private final Runnable stopHandouts;
  /** Waits for the work server's changes under way ({@link WorkServer#awaitChanges}) when this service closes. */
  private final BooleanSupplier awaitChanges;
  /** The management listener and its threads, or null. */
  private final HttpServer management;
  private final ThreadPoolExecutor managementPool;
  private final AtomicBoolean refusalsLogged = new AtomicBoolean();

  private HttpService(HttpServer server, ThreadPoolExecutor pool, Router router, Runnable stopHandouts,
      BooleanSupplier awaitChanges, HttpServer management, ThreadPoolExecutor managementPool) {
    this.server = server;
    this.pool = pool;
    this.router = router;
    this.stopHandouts = stopHandouts;
    this.awaitChanges = awaitChanges;
    this.management = management;
    this.managementPool = managementPool;
  }

  /**
   * Fails at once when the API's address is taken, so that a coordinator does not start Kafka and
   * rebuild its state only to find out then. (Another process may still take it in between.)
   *
   * @throws GoWorkException UNAVAILABLE naming the address and the settings
   */
  public static void requireFreeAddress(CoordinatorSettings settings) {
    requireFree(settings.httpHost(), settings.httpPort(), API_SETTINGS);
    settings.managementPort().ifPresent(p -> requireFree(settings.httpHost(), p, MANAGEMENT_SETTINGS));
  }

  private static final String API_SETTINGS = "GOWORK_HTTP_HOST, GOWORK_HTTP_PORT";
  private static final String MANAGEMENT_SETTINGS = "GOWORK_HTTP_HOST, GOWORK_MANAGEMENT_PORT";

  private static void requireFree(String host, int port, String settingNames) {
    if (port == 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException | RuntimeException e) {
      throw cannotListen(host, port, settingNames, e);
    }
  }

  private static GoWorkException cannotListen(String host, int port, String settingNames, Exception e) {
    return new GoWorkException(ErrorCode.UNAVAILABLE, "cannot listen on " + host + ":" + port + " (" + settingNames
        + "): " + e.getMessage(), e);
  }

  /**
   * Binds {@code settings.httpHost():httpPort()} and starts serving.
   *
   * @param bootstrapServers what verified workers are told to connect to
   * @throws GoWorkException UNAVAILABLE when the address cannot be bound (e.g. the port is taken)
   */
  public static HttpService start(CoordinatorSettings settings, WorkServer workServer, String bootstrapServers,
      ServiceMetrics metrics, Readiness readiness) {
    WireCodec codec = new WireCodec(settings.maxBodyBytes());
    WireCodec batchCodec = new WireCodec(settings.maxBatchBodyBytes());
    List<Route> routes = new ArrayList<>();
    routes.addAll(new WorkerApi(workServer, codec, bootstrapServers).routes());
    routes.addAll(new WorkApi(workServer, codec, batchCodec).routes());
    routes.addAll(new AdminApi(workServer, codec).routes());
    routes.addAll(new ScheduleApi(workServer, codec).routes());
    routes.addAll(new ProbeApi(workServer::failure, readiness, metrics, codec).routes());
    routes.addAll(new DashboardApi(codec).routes());
    // Two threads stay free for the probes and /metrics, so a liveness probe answers while every
    // other request waits on Kafka (an add blocks up to max.block.ms while Kafka is away).
    Router router = new Router(routes, settings.apiToken(), codec, metrics::httpRequest,
        Math.max(1, settings.httpThreads() - PROBE_THREADS), Set.of("/healthz", "/readyz", "/metrics"));

    // Read once per JVM when the JDK's server is first created; a value set by the operator wins.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_ARRIVAL.toSeconds()));
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(ANSWER_TAKEN.toSeconds()));
    // The server writes an answer's headers and its body apart: with Nagle's algorithm the body then
    // waits for the client's delayed ACK of the headers, about 40 ms per answer on a kept-alive connection.
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    HttpServer server = bind(settings.httpHost(), settings.httpPort(), settings.tls(), API_SETTINGS);
    ThreadPoolExecutor pool = threads("gowork-http-", settings.httpThreads());
    server.createContext("/", router);
    server.setExecutor(pool);
    HttpServer management = null;
    ThreadPoolExecutor managementPool = null;
    if (settings.managementPort().isPresent()) {
      // Probes and metrics on threads that API clients cannot take: slow or stuck API requests hold the
      // API's threads (up to REQUEST_ARRIVAL each), not these.
      management = bind(settings.httpHost(), settings.managementPort().getAsInt(), settings.tls(),
          MANAGEMENT_SETTINGS);
      managementPool = threads("gowork-management-", MANAGEMENT_THREADS);
      management.createContext("/", new Router(new ProbeApi(workServer::failure, readiness, metrics, codec).routes(),
          settings.apiToken(), codec, metrics::httpRequest));
      management.setExecutor(managementPool);
      management.start();
    }
    server.start();
    return new HttpService(server, pool, router, workServer::stopHandouts, workServer::awaitChanges, management,
        managementPool);
  }

  /** An HTTPS server when {@code tls} is there (TLS 1.2 or 1.3, the JDK's defaults), else plain HTTP. */
  private static HttpServer bind(String host, int port, Optional<SSLContext> tls, String settingNames) {
    try {
      InetSocketAddress address = new InetSocketAddress(host, port);
      if (tls.isPresent()) {
        HttpsServer https = HttpsServer.create(address, 128);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
        return https;
      }
      return HttpServer.create(address, 128);
    } catch (IOException | RuntimeException e) {
      throw cannotListen(host, port, settingNames, e);
    }
  }

  private static ThreadPoolExecutor threads(String prefix, int count) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(count, count, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** {@code https} when the API serves TLS, else {@code http}. */
  public String scheme() {
    return server instanceof HttpsServer ? "https" : "http";
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The management listener's port (the real one when 0 was asked for), if there is one. */
  public OptionalInt managementPort() {
    return management == null ? OptionalInt.empty() : OptionalInt.of(management.getAddress().getPort());
  }

  /**
   * Answers new requests with 503, stops the work server's hand-outs ({@link WorkServer#stopHandouts}:
   * a {@code POST /v1/work/next} waiting for a record gets 503 at once, one that has taken its record
   * finishes), waits for the work server's changes under way ({@link WorkServer#awaitChanges}: an add or a
   * cancel waiting for its commit, an HTTP worker's result or progress for Kafka's acknowledgement, up to
   * the send timeout), lets the other requests in flight finish (up to
   * 5 s from then; a change one of them began meanwhile is waited for as well, and 5 s more given to answer),
   * then stops listening and ends the threads. So every record handed out, and every
   * such change, is answered on a connection still open: no work is marked running for a worker that never
   * receives it, and no change is cut off with its caller left to guess whether it took effect. The work
   * server's {@code get} stays refused from then on; its other calls are not. The requests refused
   * meanwhile (503 with {@code Retry-After}: long-polling HTTP workers, say) are logged as one line with
   * their count, not one warning each. Safe to call more than once.
   */
  @Override
  public void close() {
    router.startClosing();
    // Before the grace: a hand-out under way after it would take its record for a connection closed below.
    stopHandouts.run();
    // A change may wait longer than the grace for its commit (Kafka slow): it is answered, not cut off.
    if (!awaitChanges.getAsBoolean()) {
      LOG.warn("requests that change state still under way as the HTTP service closes: their connections may be "
          + "closed before they are answered (the change may still take effect)");
    }
    awaitInFlight();
    if (router.inFlight() > 0) {
      // One that was still before its change then (its session being checked, its body read) may have begun
      // it during the grace: it is waited for too, then given the grace to answer, not cut off meanwhile.
      if (!awaitChanges.getAsBoolean()) {
        LOG.warn("requests that change state still under way after the grace: their connections may be closed "
            + "before they are answered (the change may still take effect)");
      }
      awaitInFlight();
    }
    server.stop(0);
    if (management != null) {
      management.stop(0);
      managementPool.shutdownNow();
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(GRACE.toSeconds(), TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
    long refused = router.refusedAtClose();
    if (refused > 0 && refusalsLogged.compareAndSet(false, true)) {
      LOG.info("{} requests refused while the coordinator shut down (503 with Retry-After: asked again elsewhere or "
          + "later)", refused);
    }
  }

  /** Waits up to {@link #GRACE} for the requests in flight to end. */
  private void awaitInFlight() {
    long end = System.nanoTime() + GRACE.toNanos();
    while (router.inFlight() > 0 && System.nanoTime() - end < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
