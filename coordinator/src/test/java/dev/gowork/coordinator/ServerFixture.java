package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
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

  final MutableClock clock = MutableClock.atNow();
  final EventLog log = new EventLog();
  TestKafka kafka;
  Topics topics;
  WorkServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  WorkServer start(TestKafka k, Consumer<WorkServerBuilder> customize) {
    kafka = k;
    topics = Topics.of(k.topicPrefix());
    WorkServerBuilder b = WorkServer.builder().secret(SECRET).kafka(k.clients()).topics(topics).clock(clock)
        .shareGroupSettings(FAST_GROUP).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .getPollTimeout(Duration.ofMillis(100));
    customize.accept(b);
    server = b.build();
    server.onEvent(log);
    return server;
  }

  WorkServer start(TestKafka k) {
    return start(k, b -> { }).start();
  }

  /** Register and verify as a worker would, computing the response from the shared secret. */
  Session handshake() {
    Registration r = server.workers().register();
    return server.workers().verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  TestWorker worker(Session s) {
    return worker(s, Topics.DEFAULT_QUEUE);
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
