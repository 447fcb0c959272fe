package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;

/**
 * A started {@link WorkServer} on the test's broker and topic prefix, with a fake clock, short share
 * heartbeats and fast retries, an {@link EventLog} of every event, and test workers; afterwards it
 * checks that closing left no {@code gowork-} thread running.
 */
abstract class ServerFixture {
  static final SharedSecret SECRET = SharedSecret.of("test-secret-test-secret-test-secret!");
  static final ShareGroupSettings FAST_GROUP = new ShareGroupSettings(Duration.ofSeconds(5), 5, "earliest",
      Optional.of(Duration.ofMillis(500)), Optional.empty());

  /**
   * Clients for coordinators whose group is expected to rebalance in the test: members hear of a
   * rebalance (another coordinator joining, or the group dropping one) at their next heartbeat, 3 s
   * by default, 0.1 s with these. Only the classic protocol takes the setting, so every consumer uses
   * it (share consumers leave both settings out). As in {@code SessionExpiryHandOverTest}.
   */
  static KafkaClients fastRebalancing(TestKafka k) {
    Map<String, String> passThrough = new HashMap<>(k.clients().passThrough());
    passThrough.put("group.protocol", "classic");
    passThrough.put("heartbeat.interval.ms", "100");
    return new KafkaClients(k.bootstrapServers(), passThrough);
  }

  final MutableClock clock = MutableClock.atNow();
  final EventLog log = new EventLog();
  TestKafka kafka;
  Topics topics;
  WorkServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Consumer<WorkServerBuilder> customization = b -> { };
  /** Runs on every server this fixture builds, before it starts (e.g. to register handlers). */
  Consumer<WorkServer> beforeStart = s -> { };

  WorkServer start(TestKafka k, Consumer<WorkServerBuilder> customize) {
    kafka = k;
    topics = Topics.of(k.topicPrefix());
    customization = customize;
    return build();
  }

  private WorkServer build() {
    WorkServerBuilder b = WorkServer.builder().secret(SECRET).kafka(kafka.clients()).topics(topics).clock(clock)
        .nanoTime(clock::nanoTime)
        .shareGroupSettings(FAST_GROUP).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .getPollTimeout(Duration.ofMillis(100));
    customization.accept(b);
    server = b.build();
    server.onEvent(log);
    beforeStart.accept(server);
    return server;
  }

  WorkServer start(TestKafka k) {
    return start(k, b -> { }).start();
  }

  /**
   * Kills the running server ({@link WorkServer#crash()}), then runs {@code whileDown} and starts a new
   * server with the same settings on the same topics, clock and event log.
   *
   * @return the new server's start time in ms (its rebuild from the state topics included)
   */
  long crashAndRestart(Runnable whileDown) {
    server.crash();
    whileDown.run();
    build();
    long began = System.nanoTime();
    server.start();
    return Duration.ofNanos(System.nanoTime() - began).toMillis();
  }

  /** Register and verify as a worker would, computing the response from the shared secret. */
  Session handshake() {
    Registration r = server.workers().register();
    return server.workers().verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  TestWorker worker(Session s) {
    return worker(s, Topics.DEFAULT_QUEUE);
  }

  dev.gowork.coordinator.testing.AutoWorker autoWorker(Session s) {
    var w = new dev.gowork.coordinator.testing.AutoWorker(kafka.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(),
        s.sessionKey(), clock);
    closeables.add(w);
    return w;
  }

  TestWorker worker(Session s, String queue) {
    TestWorker w = new TestWorker(kafka.clients(), topics, queue, s.workerId(), s.sessionKey(), clock);
    closeables.add(w);
    return w;
  }

  @AfterEach
  void closeAndCheckNothingIsLeftRunning() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (server != null) {
      server.close();
      Poll.until(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.isAlive() && t.getName().startsWith("gowork-")), Duration.ofSeconds(10),
          "gowork threads to end");
    }
  }

  static void assertOnce(EventLog log, dev.gowork.broker.wire.EventType type, String workId) {
    assertEquals(1, log.of(type, workId).size(), type.id() + " for " + workId + ": " + log.of(type, workId));
  }
}
