package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Analytics reads the events topic with a Kafka client we did not write: kcat (Debian package
 * {@code kcat}; {@code .ci/run} installs it). The JSON it prints must be the v1 event of the README.
 */
@ExtendWith(KafkaExtension.class)
class EventsTopicWithKcatTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void kcatReadsV1EventsFromTheEventsTopic(TestKafka k) throws Exception {
    start(k);
    Session s = handshake();
    TestWorker worker = worker(s);
    Work work = server.createWork(Map.of("n", 1), 60);
    server.add(work);
    WorkEnvelope got = worker.take(WAIT);
    worker.send(got, ResultStatus.COMPLETED, Map.of("ok", true), null);
    Poll.until(() -> !log.of(dev.gowork.broker.wire.EventType.WORK_COMPLETE, work.id()).isEmpty(), WAIT,
        "work_complete");

    List<JsonNode> events = readWithKcat(k.bootstrapServers(), topics.events(), work.id());
    JsonNode complete = events.stream().filter(e -> "work_complete".equals(e.path("type").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no work_complete among " + events));
    assertEquals("gowork.event/v1", complete.get("schema").asText());
    UUID.fromString(complete.get("id").asText());
    Instant.parse(complete.get("time").asText());
    assertEquals("default", complete.get("queue").asText());
    assertEquals(work.id(), complete.get("workId").asText());
    assertEquals(s.workerId(), complete.get("workerId").asText());
    assertEquals(1, complete.get("attempt").asInt());
    assertEquals(1, complete.get("maxAttempts").asInt(), "the seed's default: one attempt");
    assertTrue(complete.get("durationMs").canConvertToLong());
    assertTrue(events.stream().anyMatch(e -> "add_work".equals(e.path("type").asText())
        && e.path("maxAttempts").asInt() == 1), events::toString);
    for (JsonNode e : events) {
      assertEquals("gowork.event/v1", e.get("schema").asText(), e::toString);
      assertNotNull(e.get("type"), e::toString);
    }
  }

  /** Every event keyed by {@code workId}, as kcat prints them (key TAB value), read committed. */
  private List<JsonNode> readWithKcat(String bootstrap, String topic, String workId) throws Exception {
    List<String> cmd = List.of("kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
        "-X", "isolation.level=read_committed", "-f", "%k\t%s\n");
    List<JsonNode> out = new ArrayList<>();
    Poll.until(() -> {
      out.clear();
      for (String line : run(cmd)) {
        int tab = line.indexOf('\t');
        if (tab > 0 && line.substring(0, tab).equals(workId)) {
          out.add(parse(line.substring(tab + 1)));
        }
      }
      return out.stream().anyMatch(e -> "work_complete".equals(e.path("type").asText()));
    }, WAIT, "kcat to print the work_complete event");
    return out;
  }

  private JsonNode parse(String s) {
    try {
      return json.readTree(s);
    } catch (IOException e) {
      throw new AssertionError("kcat printed a value that is not JSON: " + s, e);
    }
  }

  private static List<String> run(List<String> cmd) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new AssertionError("kcat is not installed: `apt-get install -y kcat` (.ci/run does this)", e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out.lines().toList();
    } catch (IOException | InterruptedException e) {
      p.destroyForcibly();
      throw new AssertionError("kcat failed", e);
    }
  }
}
