package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import org.apache.logging.log4j.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator's own share consumer for HTTP workers is a member of the queue's share group too:
 * when the group is full (the brokers' group.share.max.size, 2 on this test's own broker) it is
 * refused. Before, every work/next call made a new consumer that the broker refused again (a join and
 * two errors of the Kafka client each time); now one tries after 5 s, then twice as long up to every 30 s,
 * the calls between answer 503 naming the full group (logged once, not once per call), and HTTP workers
 * get work once the group has room.
 */
@Timeout(240)
class HandoutFullShareGroupTest {

  @Test
  void httpWorkersGetWorkOnceAFullGroupHasRoomAgain() throws Exception {
    try (TestKafka.Own own = TestKafka.ownBroker(Map.of("group.share.max.size", "2"))) {
      TestKafka kafka = own.newTest();
      Map<String, String> env = RunningService.env(kafka);
      env.put("GOWORK_SHARE_GROUP_CHECK_SECONDS", "1");
      AtomicBoolean polling = new AtomicBoolean(true);
      List<ShareConsumer<String, byte[]>> members = new ArrayList<>();
      Thread keepPolling = null;
      try (RunningService api = RunningService.start(env)) {
        // Two members that take nothing fill the group: whatever they get goes back.
        for (int i = 0; i < 2; i++) {
          ShareConsumer<String, byte[]> c = kafka.clients().shareConsumer(kafka.topicPrefix() + ".workers.default",
              Map.of());
          c.subscribe(List.of(kafka.topicPrefix() + ".work.default"));
          members.add(c);
        }
        keepPolling = new Thread(() -> {
          while (polling.get()) {
            for (ShareConsumer<String, byte[]> c : members) {
              c.poll(Duration.ofMillis(50)).forEach(r -> c.acknowledge(r, AcknowledgeType.RELEASE));
            }
          }
          members.forEach(ShareConsumer::close);
        });
        keepPolling.start();
        String workId = api.producer("POST", "/v1/work", "{\"data\":1,\"timeoutSeconds\":180}").json().get("workId")
            .asText();
        Poll.until(() -> {
          JsonNode g = api.producer("GET", "/v1/queues", null).json().path("queues").path("default").path("shareGroup");
          return g.path("members").asInt(-1) == 2 ? g : null;
        }, Duration.ofSeconds(90), "2 members");
        DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET).handshake();
        List<String> answers = new ArrayList<>();
        // One capture at a time: they share the appender's name.
        try (CapturedWarnings refusals = CapturedWarnings.from(Level.WARN,
            "org.apache.kafka.clients.consumer.internals.ShareHeartbeatRequestManager", "dev.gowork.coordinator")) {
          for (int i = 0; i < 4; i++) {
            try {
              answers.add(String.valueOf(worker.next("default").map(JsonNode::toString)));
            } catch (AssertionError e) {
              answers.add(e.getMessage());
            }
          }
          assertEquals(1, refusals.lines().stream().filter(l -> l.contains("GROUP_MAX_SIZE_REACHED")).count(),
              "one consumer refused, not one per call: " + refusals.lines());
          // The coordinator's warning when its consumer is refused; the 503s that follow add none each.
          assertEquals(1, refusals.lines().stream().filter(l -> l.contains("share group is full")).count(),
              "one warning, not one per call: " + refusals.lines());
        }
        // The first call may come back empty, its consumer's join not yet answered; the rest name the cause.
        assertTrue(answers.get(3).startsWith("next answered 503") && answers.get(3).contains("share group is full"),
            answers.toString());
        polling.set(false);
        keepPolling.join();
        JsonNode taken = Poll.until(() -> {
          try {
            Optional<JsonNode> w = worker.next("default");
            return w.orElse(null);
          } catch (Exception | AssertionError e) {
            return null;
          }
        }, Duration.ofSeconds(120), "the HTTP worker to get the work once the group has room");
        assertEquals(workId, taken.get("workId").asText());
      } finally {
        polling.set(false);
      }
    }
  }
}
