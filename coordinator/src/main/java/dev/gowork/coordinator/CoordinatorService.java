package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.coordinator.events.HandlerTiming;
import dev.gowork.coordinator.http.HttpService;
import dev.gowork.coordinator.http.KafkaReadiness;
import dev.gowork.coordinator.metrics.ServiceMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator service in one object: the embedded broker when no Kafka is configured, a started
 * {@link WorkServer}, its metrics and the HTTP API. What {@code dev.gowork.coordinator.Main} runs,
 * and what a test or the {@code gowork demo} can run in-process.
 *
 * <pre>{@code
 * try (CoordinatorService c = CoordinatorService.start(CoordinatorSettings.parse(System.getenv()))) {
 *   System.out.println(c.baseUrl());
 *   c.awaitClosed();
 * }
 * }</pre>
 */
public final class CoordinatorService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorService.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration KAFKA_CHECK = Duration.ofSeconds(5);

  private final Deque<AutoCloseable> opened;
  private final HttpService http;
  private final WorkServer server;
  private final String bootstrapServers;
  private final Optional<EmbeddedKafka> embedded;
  private final URI baseUrl;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean takenOver;

  private CoordinatorService(Deque<AutoCloseable> opened, HttpService http, WorkServer server,
      String bootstrapServers, Optional<EmbeddedKafka> embedded, String host) {
    this.opened = opened;
    this.http = http;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.embedded = embedded;
    String shown = host.contains(":") ? "[" + host + "]" : host;
    this.baseUrl = URI.create(http.scheme() + "://" + shown + ":" + http.port());
  }

  /**
   * Starts the embedded broker if needed, then the work server, then the HTTP API. A failure closes
   * whatever had started.
   *
   * @throws GoWorkException UNAVAILABLE when Kafka cannot be reached or started, or the port is taken
   */
  public static CoordinatorService start(CoordinatorSettings s) {
    HttpService.requireFreeAddress(s);
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      Optional<EmbeddedKafka> embedded = s.bootstrapServers().isPresent() ? Optional.empty()
          : Optional.of(startEmbedded(s));
      embedded.ifPresent(opened::push);
      String bootstrap = embedded.map(EmbeddedKafka::bootstrapServers).orElseGet(() -> s.bootstrapServers().get());
      if (embedded.isEmpty()) {
        LOG.info("connecting to Kafka at {} (GOWORK_BOOTSTRAP_SERVERS)", bootstrap);
      }
      KafkaClients clients = new KafkaClients(bootstrap, s.kafkaProperties());
      WorkServer server = WorkServer.builder().secret(s.secret()).kafka(clients).topics(s.topics())
          .instanceId(s.instanceId()).runHandlersAt(HandlerTiming.parse(s.runHandlersAt()))
          .finishedRetention(s.finishedRetention()).finishedKept(s.finishedMaxItems()).maxQueues(s.maxQueues())
          .deadRetention(s.deadRetention()).deadKept(s.deadMaxItems())
          .commitInterval(s.commitInterval()).shareGroupCheck(s.shareGroupCheck())
          .sessionTtl(s.sessionTtl()).shareGroupSettings(s.shareGroup()).workPartitions(s.workPartitions())
          .replicationFactor(s.replicationFactor()).operatorKey(s.apiToken()).build();
      opened.push(server);
      ServiceMetrics metrics = ServiceMetrics.bind(server);
      opened.push(metrics);
      server.start();
      KafkaReadiness readiness = new KafkaReadiness(clients.admin(),
          List.of(s.topics().results(), s.topics().events()), READY_TIMEOUT, READY_TIMEOUT, System::nanoTime);
      opened.push(readiness);
      metrics.watchKafka(readiness::lastReady);
      opened.push(watchKafka(readiness));
      HttpService http = HttpService.start(s, server, bootstrap, metrics, readiness);
      opened.push(http);
      CoordinatorService c = new CoordinatorService(opened, http, server, bootstrap, embedded, s.httpHost());
      server.onTakeover(c::closeAfterTakeover);
      LOG.info("coordinator listening on {} (kafka {}, prefix {}); dashboard at {}/dashboard", c.baseUrl, bootstrap,
          s.topics().prefix(), c.baseUrl);
      http.managementPort().ifPresent(p -> LOG.info("probes and metrics also on {}://{}:{} (/healthz, /readyz, "
          + "/metrics)", http.scheme(), s.httpHost(), p));
      return c;
    } catch (RuntimeException e) {
      closeAll(opened);
      throw explain(e, s.bootstrapServers());
    }
  }

  /**
   * A start that timed out waiting for an external Kafka says so, naming the setting: the client's own
   * words ("Timed out waiting for a node assignment. Call: createTopics") do not say that nothing answered.
   */
  static RuntimeException explain(RuntimeException e, Optional<String> external) {
    if (external.isEmpty()) {
      return e;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // The client's own timeout, or a wait for an admin call that ran out first (AdminCalls: "Creating topic
      // 'gowork.state' did not finish within 60 s"): which one comes first is a matter of timing.
      if (t instanceof org.apache.kafka.common.errors.TimeoutException
          || t instanceof java.util.concurrent.TimeoutException) {
        return new GoWorkException(ErrorCode.UNAVAILABLE, "Kafka at " + external.get()
            + " (GOWORK_BOOTSTRAP_SERVERS) did not answer in time: is it running and reachable from here, with "
            + "the right GOWORK_KAFKA_* settings (e.g. SECURITY_PROTOCOL)? (" + e.getMessage() + ")", e);
      }
    }
    return e;
  }

  /**
   * Checks Kafka every {@link #KAFKA_CHECK} in the background, so that losing it and getting it back
   * are logged (and {@code gowork_kafka_ready} moves) even when no probe asks.
   */
  private static AutoCloseable watchKafka(KafkaReadiness readiness) {
    java.util.concurrent.ScheduledExecutorService checks = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "gowork-kafka-check");
          t.setDaemon(true);
          return t;
        });
    checks.scheduleWithFixedDelay(() -> {
      try {
        readiness.problem();
      } catch (RuntimeException e) {
        LOG.debug("the Kafka check failed: {}", e.toString());
      }
    }, 0, KAFKA_CHECK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return checks::shutdownNow;
  }

  private static EmbeddedKafka startEmbedded(CoordinatorSettings s) {
    // A taken port fails here in one line, instead of a broker that fails its start with pages of traces.
    if (s.embeddedKafkaPort() != 0) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new java.net.InetSocketAddress("127.0.0.1", s.embeddedKafkaPort()));
      } catch (java.io.IOException e) {
        throw new GoWorkException(ErrorCode.UNAVAILABLE, "cannot start the embedded Kafka: port "
            + s.embeddedKafkaPort() + " on 127.0.0.1 is taken, by another Kafka or another coordinator's embedded one"
            + " (set GOWORK_EMBEDDED_KAFKA_PORT, or GOWORK_BOOTSTRAP_SERVERS to use that Kafka): " + e.getMessage(), e);
      }
    }
    EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.builder().dataDir(s.dataDir()).port(s.embeddedKafkaPort()).start();
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage());
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not start the embedded Kafka on port "
          + s.embeddedKafkaPort() + " (GOWORK_EMBEDDED_KAFKA_PORT) with data in "
          + (why.startsWith("cannot create the data folder " + s.dataDir() + ":") ? "GOWORK_DATA_DIR" : s.dataDir() + " (GOWORK_DATA_DIR)")
          + ": " + why, e);
    }
    LOG.info("GOWORK_BOOTSTRAP_SERVERS is not set: started an embedded Kafka broker at {} with its data in {}. "
        + "Point workers at it with GOWORK_BOOTSTRAP_SERVERS={} (they also learn it when they verify).",
        kafka.bootstrapServers(), kafka.dataDir(), kafka.bootstrapServers());
    return kafka;
  }

  /** Where the HTTP API answers, e.g. {@code http://127.0.0.1:8080} ({@code https} with TLS). */
  public URI baseUrl() {
    return baseUrl;
  }

  public int port() {
    return http.port();
  }

  /** The port that serves only probes and metrics ({@code GOWORK_MANAGEMENT_PORT}), if one is set. */
  public OptionalInt managementPort() {
    return http.managementPort();
  }

  /** The Kafka in use (the embedded broker's address when there is one). */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The in-process broker, when no Kafka was configured. */
  public Optional<EmbeddedKafka> embeddedKafka() {
    return embedded;
  }

  /** The running work server (to add handlers, or work in-process). */
  public WorkServer workServer() {
    return server;
  }

  /**
   * True when the service closed (or is closing) because another coordinator started with its instance
   * id took it over: {@code Main} then exits with status 3, so that a supervisor sees it.
   */
  public boolean takenOver() {
    return takenOver;
  }

  /** Closes gracefully on a thread of its own: called on one of the work server's threads, which close joins. */
  private void closeAfterTakeover() {
    takenOver = true;
    new Thread(this::close, "gowork-takeover-close").start();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Closes the HTTP API, then the work server, then the embedded broker. Safe to call more than once. */
  @Override
  public void close() {
    synchronized (opened) {
      if (closed.getCount() == 0) {
        return;
      }
      LOG.info("coordinator at {} shutting down", baseUrl);
      closeAll(opened);
      closed.countDown();
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      AutoCloseable c = opened.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
