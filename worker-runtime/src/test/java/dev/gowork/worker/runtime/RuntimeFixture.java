package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.IndependentHmac;
import dev.gowork.worker.testing.StubCoordinator;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One test's world: a fresh topic prefix on the shared broker, a stub coordinator over HTTP that
 * names it, the results topic (which the coordinator would own), and the runtimes the test starts.
 * The test plays the coordinator's Kafka side: it produces work and reads results.
 */
final class RuntimeFixture implements AutoCloseable {
  static final String SECRET = "fixture-secret-fixture-secret-0123456789";
  static final String QUEUE = "default";

  final TestKafka kafka;
  final Topics topics;
  final StubCoordinator coordinator;
  private final Producer<String, byte[]> producer;
  private final WireCodec codec = WireCodec.defaults();
  private final List<WorkerRuntime> runtimes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  RuntimeFixture(TestKafka kafka) throws Exception {
    this(kafka, null);
  }

  /** With a stub coordinator that serves HTTPS with {@code tls} (HTTP when null). */
  RuntimeFixture(TestKafka kafka, javax.net.ssl.SSLContext tls) throws Exception {
    this.kafka = kafka;
    this.topics = Topics.of(kafka.topicPrefix());
    this.coordinator = new StubCoordinator(SECRET, kafka.bootstrapServers(), kafka.topicPrefix(), tls);
    try (Admin admin = kafka.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topics.results(), 6, 1)));
    }
    this.producer = kafka.clients().producer();
  }

  /** Test-sized settings: short locks and heartbeats, a short cancel grace. */
  WorkerSettingsBuilder settings(int concurrency) {
    return WorkerSettings.builder(SharedSecret.of(SECRET))
        .coordinatorUrl(coordinator.url())
        .queue(QUEUE)
        .concurrency(concurrency)
        .lockDuration(Duration.ofSeconds(5))
        .heartbeatInterval(Duration.ofMillis(500))
        .cancelGrace(Duration.ofMillis(500))
        .shutdownGrace(Duration.ofSeconds(5))
        .workerName("test-replica")
        .kafka(kafka.clients().passThrough());
  }

  WorkerRuntime start(WorkerSettingsBuilder settings, WorkHandler handler) {
    WorkerRuntime r = WorkerRuntime.builder(settings.build()).handler(handler).start();
    runtimes.add(r);
    return r;
  }

  /** Starts a runtime on {@code clock}. */
  WorkerRuntime start(WorkerSettingsBuilder settings, WorkHandler handler, java.time.Clock clock) {
    WorkerRuntime r = WorkerRuntime.builder(settings.build()).handler(handler).clock(clock).start();
    runtimes.add(r);
    return r;
  }

  /** Starts a runtime that registers its meters with {@code registry}. */
  WorkerRuntime start(WorkerSettingsBuilder settings, WorkHandler handler, io.micrometer.core.instrument.MeterRegistry registry) {
    WorkerRuntime r = WorkerRuntime.builder(settings.build()).handler(handler).meterRegistry(registry).start();
    runtimes.add(r);
    return r;
  }

  /** Takes a runtime the test built itself into this world's care (stopped at its end). */
  void adopt(WorkerRuntime r) {
    runtimes.add(r);
  }

  WorkEnvelope work(JsonNode data, Duration timeout) {
    return Works.work(QUEUE, data, Instant.now(), timeout);
  }

  void send(WorkEnvelope... works) throws Exception {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (WorkEnvelope w : works) {
      sent.add(sendAsync(w.workId(), codec.encode(w)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
  }

  CompletableFuture<Void> sendAsync(String key, byte[] value) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    producer.send(new ProducerRecord<>(topics.work(QUEUE), key, value), (m, e) -> {
      if (e == null) {
        f.complete(null);
      } else {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  ResultsReader results() {
    ResultsReader r = new ResultsReader(kafka.clients(), topics.results());
    closeables.add(r);
    return r;
  }

  /** Checks the result's signature with an HMAC computed here, under the key the coordinator issued. */
  void assertSigned(ResultsReader.Result r) throws Exception {
    String key = coordinator.sessionKey(r.workerId());
    assertNotNull(key, "no session was issued to " + r.workerId());
    assertEquals(IndependentHmac.resultSignature(key, r.envelope().workId(), r.envelope().attempt(),
        r.envelope().status().wireName(), r.timestamp(), r.value()), r.signature(), "signature of " + r.envelope());
    assertEquals(r.workerId(), r.envelope().workerId());
  }

  static void awaitTrue(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  static Map<String, Integer> countBy(List<ResultsReader.Result> results, java.util.function.Function<ResultsReader.Result, String> key) {
    Map<String, Integer> m = new java.util.TreeMap<>();
    results.forEach(r -> m.merge(key.apply(r), 1, Integer::sum));
    return m;
  }

  @Override
  public void close() throws Exception {
    for (WorkerRuntime r : runtimes) {
      r.crash();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    producer.close();
    coordinator.close();
    awaitTrue("every gowork thread of the test's replicas to end (still alive: " + goworkThreads() + ")",
        () -> goworkThreads().isEmpty(), Duration.ofSeconds(10));
  }

  private static List<String> goworkThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("gowork-"))
        .map(Thread::getName).sorted().toList();
  }
}
