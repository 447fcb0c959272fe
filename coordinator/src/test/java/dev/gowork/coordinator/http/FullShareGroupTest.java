package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.queue.ShareGroupSizes;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * A broker of its own with {@code group.share.max.size=2}: {@code GET /v1/queues} and {@code /metrics} show the
 * members of the queue's share group against that limit, and the group as full once two share consumers
 * joined; the coordinator logs that once, and once more when a member left.
 */
class FullShareGroupTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @Test
  void theListingShowsMembersAgainstTheBrokersLimit() throws Exception {
    try (TestKafka.Own own = TestKafka.ownBroker(Map.of("group.share.max.size", "2"));
        CapturedWarnings log = CapturedWarnings.from(Level.INFO, ShareGroupSizes.class.getName())) {
      TestKafka kafka = own.newTest();
      Map<String, String> env = RunningService.env(kafka);
      env.put("GOWORK_SHARE_GROUP_CHECK_SECONDS", "1");
      List<ShareConsumer<String, byte[]>> members = new ArrayList<>();
      try (RunningService api = RunningService.start(env)) {
        // Listed without work: the listing shows queues with unfinished work or paused.
        assertEquals(200, api.producer("POST", "/v1/queues/default/pause", null).status());
        JsonNode group = until(api, members, 0);
        assertEquals(kafka.topicPrefix() + ".workers.default", group.get("name").asText());
        assertEquals(2, group.get("maxMembers").asInt(), group.toString());
        assertFalse(group.get("full").asBoolean(), group.toString());

        members.add(join(kafka));
        group = until(api, members, 1);
        assertFalse(group.get("full").asBoolean(), "1 of 2 is not full: " + group);
        assertFalse(group.has("warning"), group.toString());

        members.add(join(kafka));
        group = until(api, members, 2);
        assertEquals(2, group.get("maxMembers").asInt(), group.toString());
        assertTrue(group.get("full").asBoolean(), "2 of 2 is full: " + group);
        assertEquals(GroupSize.FULL_WARNING, group.get("warning").asText());
        assertTrue(group.hasNonNull("checkedAt"), group.toString());
        String metrics = api.send("GET", "/metrics", null).body();
        assertTrue(metrics.contains("gowork_queue_share_group_full{queue=\"default\"} 1.0"), metrics);
        assertTrue(metrics.contains("gowork_queue_share_group_members{queue=\"default\"} 2.0"), metrics);
        assertTrue(metrics.contains("gowork_queue_share_group_max_members{queue=\"default\"} 2.0"), metrics);

        members.remove(1).close();
        group = until(api, members, 1);
        assertFalse(group.get("full").asBoolean(), group.toString());
        List<String> lines = log.lines();
        assertEquals(2, lines.size(), "one warning when full, one line when it has room again: " + lines);
        assertTrue(lines.get(0).contains("has 2 of 2 members"), lines.get(0));
        assertTrue(lines.get(1).contains("has room again"), lines.get(1));
      } finally {
        members.forEach(ShareConsumer::close);
      }
    }
  }

  private static ShareConsumer<String, byte[]> join(TestKafka kafka) {
    ShareConsumer<String, byte[]> c = kafka.clients().shareConsumer(kafka.topicPrefix() + ".workers.default",
        Map.of());
    c.subscribe(List.of(kafka.topicPrefix() + ".work.default"));
    return c;
  }

  /** Polls the members (so that they join and stay) until the listing counts {@code n} of them. */
  private static JsonNode until(RunningService api, List<ShareConsumer<String, byte[]>> members, int n) {
    return Poll.until(() -> {
      members.forEach(c -> c.poll(Duration.ofMillis(100)));
      JsonNode group = api.producer("GET", "/v1/queues", null).json().path("queues").path("default")
          .path("shareGroup");
      return group.path("members").isInt() && group.get("members").asInt() == n ? group : null;
    }, DEADLINE, "the listing to count " + n + " members of the default queue's share group");
  }
}
