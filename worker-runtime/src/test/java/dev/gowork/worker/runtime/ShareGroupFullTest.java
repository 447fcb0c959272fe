package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.Works;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A queue's share group holds at most the brokers' {@code group.share.max.size} members, and each slot
 * of each replica is one: a broker of this test's own allows 2. Before, a slot the group refused stayed
 * with a dead consumer, silently: the replica said it was ready with all its slots and never took work
 * with that one, even once the group had room again.
 */
@Timeout(180)
class ShareGroupFullTest {
  private static TestKafka.Own own;

  @BeforeAll
  static void startBroker() {
    own = TestKafka.ownBroker(Map.of("group.share.max.size", "2"));
  }

  @AfterAll
  static void stopBroker() {
    if (own != null) {
      own.close();
    }
  }

  @Test
  void aReplicaWithMoreSlotsThanTheGroupHoldsRunsWithThoseItGotAndSaysSo() throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(own.newTest()); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkHandler counting = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        return data;
      };
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      WorkerRuntime r = f.start(f.settings(3), counting, meters);
      RuntimeFixture.awaitTrue("one slot refused", () -> r.refusedSlots() == 1, Duration.ofSeconds(60));

      for (int i = 0; i < 6; i++) {
        f.send(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      results.await("6 results", all -> all.size() >= 6, Duration.ofSeconds(60));
      List<ResultsReader.Result> all = results.drain(Duration.ofMillis(300));
      assertEquals(6, all.size());
      all.forEach(res -> assertEquals(ResultStatus.COMPLETED, res.envelope().status()));
      runs.forEach((id, n) -> assertEquals(1, n.get(), "runs of " + id));

      Health h = r.health();
      assertTrue(h.ready(), h.toString());
      assertTrue(h.reason().startsWith("ok, with 2 of 3 slots"), h.reason());
      assertEquals(1.0, meters.get("gowork.worker.slots.refused").gauge().value());
    }
  }

  @Test
  void aReplicaRefusedEverySlotIsNotReadyThenJoinsOnceTheGroupHasRoom() throws Exception {
    TestKafka kafka = own.newTest();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results();
        Admin admin = kafka.clients().admin()) {
      String group = Topics.of(kafka.topicPrefix()).shareGroup(RuntimeFixture.QUEUE);
      WorkerRuntime first = f.start(f.settings(2), (data, ctx) -> data);
      RuntimeFixture.awaitTrue("the first replica's 2 slots in the group", () -> members(admin, group) == 2,
          Duration.ofSeconds(60));

      WorkerRuntime second = WorkerRuntime.builder(f.settings(1).workerName("second").build())
          .handler((data, ctx) -> data).rejoinEvery(Duration.ofSeconds(1)).start();
      f.adopt(second);
      RuntimeFixture.awaitTrue("the second replica refused", () -> !second.health().ready()
          && second.health().reason().contains("share group is full"), Duration.ofSeconds(60));

      first.close();
      RuntimeFixture.awaitTrue("the second replica in the group", () -> second.health().ready(),
          Duration.ofSeconds(60));
      assertEquals("ok", second.health().reason());
      WorkEnvelope w = f.work(Works.data().put("after", true), Duration.ofMinutes(2));
      f.send(w);
      results.await("its result", all -> all.stream().anyMatch(res -> res.envelope().workId().equals(w.workId())),
          Duration.ofSeconds(60));
      assertEquals(1, second.counters().processed());
      assertFalse(second.refusedSlots() > 0);
    }
  }

  private static int members(Admin admin, String group) {
    try {
      return admin.describeShareGroups(List.of(group)).describedGroups().get(group).get().members().size();
    } catch (Exception e) {
      return -1;
    }
  }
}
