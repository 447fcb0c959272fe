package dev.gowork.cli.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.Console;
import dev.gowork.cli.settings.CliException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code gowork events} against a real broker: filtering, --max, --json, and a bad record skipped with a warning. */
@ExtendWith(KafkaExtension.class)
class EventsCommandTest {
  private static final Instant T = Instant.parse("2026-11-28T10:00:00Z");
  private final WireCodec codec = WireCodec.defaults();

  private void publish(TestKafka kafka, String topic, List<byte[]> values) throws Exception {
    try (Admin admin = kafka.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topic, 3, 1)));
    }
    try (Producer<String, byte[]> p = kafka.clients().producer()) {
      for (byte[] v : values) {
        p.send(new ProducerRecord<>(topic, "k", v)).get();
      }
    }
  }

  private Event event(EventType type, String queue, String workId) {
    return new Event("id-" + workId, type, T, queue, workId, "w-1", 1, 7L, null);
  }

  @Test
  void followsFromTheBeginningWithFiltersAndStopsAfterMax(TestKafka kafka) throws Exception {
    String topic = Topics.of(kafka.topicPrefix()).events();
    publish(kafka, topic, List.of(
        codec.encode(event(EventType.ADD_WORK, "default", "a")),
        "not json".getBytes(StandardCharsets.UTF_8),
        codec.encode(event(EventType.WORK_COMPLETE, "images", "b")),
        codec.encode(event(EventType.WORK_COMPLETE, "default", "c")),
        codec.encode(event(EventType.WORK_TIMEOUT, "default", "d"))));
    Console c = new Console(Map.of("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "GOWORK_TOPIC_PREFIX", kafka.topicPrefix()));
    int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> c.run("events", "--from-beginning",
        "--type", "work_complete,work_timeout", "--queue", "default", "--max", "2"));
    assertEquals(0, code, c.err());
    assertEquals(List.of(
        "2026-11-28T10:00:00Z work_complete        queue=default work=c worker=w-1 attempt=1 durationMs=7",
        "2026-11-28T10:00:00Z work_timeout         queue=default work=d worker=w-1 attempt=1 durationMs=7"),
        c.out().lines().toList());
    assertTrue(c.err().contains("warning: skipped the record at " + topic + "-"), c.err());
    assertTrue(c.err().contains("malformed JSON"), c.err());
  }

  @Test
  void aNewerCoordinatorsEventTypeIsShownNotSkipped(TestKafka kafka) throws Exception {
    String topic = Topics.of(kafka.topicPrefix()).events();
    String newer = "{\"schema\":\"gowork.event/v1\",\"id\":\"id-n\",\"type\":\"work_paused\","
        + "\"time\":\"2026-11-28T10:00:00.000Z\",\"queue\":\"default\",\"workId\":\"n\",\"pausedFor\":5}";
    byte[] known = codec.encode(event(EventType.WORK_COMPLETE, "default", "a"));
    publish(kafka, topic, List.of(newer.getBytes(StandardCharsets.UTF_8), known));
    Map<String, String> env = Map.of("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "GOWORK_TOPIC_PREFIX",
        kafka.topicPrefix());

    Console json = new Console(env);
    assertEquals(0, assertTimeoutPreemptively(Duration.ofSeconds(60), () -> json.run("events", "--from-beginning",
        "--json", "--max", "2")), json.err());
    assertEquals(List.of(newer, new String(known, StandardCharsets.UTF_8)), json.out().lines().toList());
    assertTrue(json.err().isEmpty(), json.err());

    Console lines = new Console(env);
    assertEquals(0, assertTimeoutPreemptively(Duration.ofSeconds(60), () -> lines.run("events", "--from-beginning",
        "--max", "2")), lines.err());
    assertEquals("2026-11-28T10:00:00.000Z work_paused          (an event type this gowork does not know;"
        + " --json prints it whole)", lines.out().lines().toList().get(0));

    Console filtered = new Console(env);
    assertEquals(0, assertTimeoutPreemptively(Duration.ofSeconds(60), () -> filtered.run("events",
        "--from-beginning", "--type", "work_complete", "--max", "1")), filtered.err());
    assertEquals(1, filtered.out().lines().count(), filtered.out());
    assertTrue(filtered.out().contains("work_complete"), filtered.out());
  }

  @Test
  void jsonPrintsTheRawEvent(TestKafka kafka) throws Exception {
    String topic = Topics.of(kafka.topicPrefix()).events();
    byte[] raw = codec.encode(event(EventType.WORK_COMPLETE, "default", "a"));
    publish(kafka, topic, List.of(raw));
    Console c = new Console(Map.of());
    int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> c.run("events", "--bootstrap-servers",
        kafka.bootstrapServers(), "--topic-prefix", kafka.topicPrefix(), "--from-beginning", "--json", "--max", "1"));
    assertEquals(0, code, c.err());
    assertEquals(new String(raw, StandardCharsets.UTF_8), c.out().strip());
  }

  @Test
  void waitsForATopicThatDoesNotExistYetAndReadsItFromItsBeginning(TestKafka kafka) throws Exception {
    String topic = Topics.of(kafka.topicPrefix()).events();
    Console c = new Console(Map.of("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "GOWORK_TOPIC_PREFIX", kafka.topicPrefix()));
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> c.run("events", "--max", "1"));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!c.err().contains("does not exist yet") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(c.err().contains("waiting"), c.err());
    publish(kafka, topic, List.of(codec.encode(event(EventType.ADD_WORK, "default", "late"))));
    assertEquals(0, code.get(60, TimeUnit.SECONDS), c.err());
    assertTrue(c.out().contains("add_work"), c.out());
  }

  @Test
  void kafkaThatNeverAnswersIsAFailureNamingTheSetting() {
    FollowEvents follow = FollowEvents.open("127.0.0.1:1", Map.of(), "gowork.events", false)
        .giveUpAfter(Duration.ofSeconds(3));
    List<String> said = new java.util.ArrayList<>();
    CliException e = assertThrows(CliException.class, () -> follow.run(new FollowEvents.Sink() {
      @Override
      public boolean accept(Event event, byte[] raw) {
        return true;
      }

      @Override
      public void rejected(String where, dev.gowork.broker.wire.DecodeError error) {}

      @Override
      public void waiting(String why) {
        said.add(why);
      }
    }));
    assertEquals(CliException.FAILED, e.exitCode());
    assertTrue(e.getMessage().startsWith("Kafka at 127.0.0.1:1 did not answer within 3 s; check GOWORK_BOOTSTRAP_SERVERS"),
        e.getMessage());
    assertEquals(List.of("Kafka at 127.0.0.1:1 does not answer; waiting up to 3 s"), said);
  }

  @Test
  void withoutBootstrapServersItReadsTheEmbeddedBrokerOfTheSameEnvironment(TestKafka kafka) throws Exception {
    // A user who runs 'gowork coordinator' with GOWORK_EMBEDDED_KAFKA_PORT set and then 'gowork events' in
    // the same shell reads that coordinator's broker, not 127.0.0.1:9092.
    String host = kafka.bootstrapServers().split(",")[0];
    String port = host.substring(host.lastIndexOf(':') + 1);
    assertTrue(host.startsWith("127.0.0.1:") || host.startsWith("localhost:"), "the test broker is local: " + host);
    String topic = Topics.of(kafka.topicPrefix()).events();
    publish(kafka, topic, List.of(codec.encode(event(EventType.WORK_COMPLETE, "default", "e"))));
    Console c = new Console(Map.of("GOWORK_EMBEDDED_KAFKA_PORT", port, "GOWORK_TOPIC_PREFIX", kafka.topicPrefix()));
    int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> c.run("events", "--from-beginning", "--max", "1"));
    assertEquals(0, code, c.err());
    assertTrue(c.out().contains("work_complete") && c.out().contains("work=e"), c.out());
  }

  @Test
  void anEmbeddedPortOfAnyFreePortCannotBeFollowedAndSaysWhatToSet() {
    Console c = new Console(Map.of("GOWORK_EMBEDDED_KAFKA_PORT", "0"));
    assertEquals(CliException.USAGE, c.run("events"));
    assertTrue(c.err().startsWith("gowork: GOWORK_EMBEDDED_KAFKA_PORT is 0 (any free port)")
        && c.err().contains("set GOWORK_BOOTSTRAP_SERVERS"), c.err());
  }
}
