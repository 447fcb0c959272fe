package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.HandlerRegistry;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.io.IOError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deadlines (expired on arrival, overrunning handlers), failing handlers and undecodable records. */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class DeadlineAndPoisonTest {

  @Test
  void aHandlerThrowingAnyErrorIsReportedFailedAtOnceNotAtItsDeadline(TestKafka kafka) throws Exception {
    ResultEnvelope r = resultOfOneItem(kafka, (data, ctx) -> {
      throw new IOError(new IOException("disk gone"));
    });
    assertEquals(ResultStatus.FAILED, r.status(), r.toString());
    assertTrue(r.error().contains("disk gone"), r.error());
  }

  @Test
  void aResultNestedDeeperThanTheCoordinatorReadsIsReportedFailed(TestKafka kafka) throws Exception {
    ResultEnvelope r = resultOfOneItem(kafka, (data, ctx) -> {
      JsonNode node = JsonNodeFactory.instance.numberNode(1);
      for (int i = 0; i < 70; i++) {
        node = JsonNodeFactory.instance.arrayNode().add(node);
      }
      return node;
    });
    assertEquals(ResultStatus.FAILED, r.status(), r.toString());
    assertTrue(r.error().contains("nested deeper than"), r.error());
  }

  /** One item with a 2-minute deadline through one slot running {@code handler}: its result. */
  private static ResultEnvelope resultOfOneItem(TestKafka kafka, WorkHandler handler) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      f.start(f.settings(1), handler);
      f.send(f.work(Works.data(), Duration.ofMinutes(2)));
      return results.await("a result", x -> !x.isEmpty(), Duration.ofSeconds(60)).get(0).envelope();
    }
  }

  @Test
  void workThatExpiresWaitingBehindItsBatchIsReportedTimedOutWithoutRunning(TestKafka kafka) throws Exception {
    CountDownLatch slowRuns = new CountDownLatch(1);
    CountDownLatch slowMayEnd = new CountDownLatch(1);
    SkippingClock clock = new SkippingClock();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Set<String> ran = ConcurrentHashMap.newKeySet();
      // One partition, so the slow item comes first in the one batch of 8 that one slot takes.
      try (Admin admin = f.kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.work(RuntimeFixture.QUEUE), 1, 1)));
      }
      WorkEnvelope slow = f.work(Works.data().put("slow", true), Duration.ofMinutes(2));
      List<WorkEnvelope> behind = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        behind.add(f.work(Works.data().put("i", i), Duration.ofSeconds(6)));
      }
      List<WorkEnvelope> all = new ArrayList<>(List.of(slow));
      all.addAll(behind);
      f.send(all.toArray(WorkEnvelope[]::new));
      f.start(f.settings(1).workPartitions(1).batchSize(8).lockDuration(Duration.ofSeconds(30)), (data, ctx) -> {
        ran.add(ctx.workId());
        if (data.path("slow").asBoolean()) {
          slowRuns.countDown();
          slowMayEnd.await();
        }
        return data;
      }, clock);
      // While the slow item runs, the replica's clock passes the 6 s deadlines of the 7 waiting behind it
      // in its batch (and stays well before half the 30 s lock), instead of the test sleeping 8 s.
      try {
        assertTrue(slowRuns.await(60, TimeUnit.SECONDS), "the slow item started");
        clock.skip(Duration.ofSeconds(10));
      } finally {
        slowMayEnd.countDown();
      }
      List<ResultsReader.Result> got = results.await("8 results", x -> x.size() >= 8, Duration.ofSeconds(60));
      for (WorkEnvelope w : behind) {
        assertFalse(ran.contains(w.workId()), "ran after its deadline: " + w.workId());
      }
      Map<String, ResultStatus> status = got.stream().collect(Collectors.toMap(
          r -> r.envelope().workId(), r -> r.envelope().status(), (a, b) -> a));
      behind.forEach(w -> assertEquals(ResultStatus.TIMED_OUT, status.get(w.workId()), w.workId()));
      assertEquals(ResultStatus.COMPLETED, status.get(slow.workId()));
    }
  }

  @Test
  void expiredWorkIsNotRunAndOverrunningWorkTimesOut(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Set<String> ran = ConcurrentHashMap.newKeySet();
      WorkHandler sleep = HandlerRegistry.builtIns().resolve("sleep");
      WorkHandler handler = (data, ctx) -> {
        ran.add(ctx.workId());
        switch (data.path("mode").asText()) {
          case "polite" -> sleep.handle(data, ctx);      // stops when cancelled
          case "deaf" -> {
            while (true) {
              Thread.sleep(50);                        // ignores cancellation, stops when interrupted
            }
          }
          case "fail" -> throw new IllegalArgumentException("bad input: " + data.path("n").asInt());
          default -> { }
        }
        return data;
      };
      WorkerRuntime runtime = f.start(f.settings(4).workPartitions(1), handler);

      Instant longAgo = Instant.now().minusSeconds(60);
      WorkEnvelope expired = Works.work(RuntimeFixture.QUEUE, Works.data(), longAgo, Duration.ofSeconds(10));
      WorkEnvelope polite = f.work(Works.data().put("mode", "polite").put("ms", 60_000), Duration.ofSeconds(2));
      WorkEnvelope deaf = f.work(Works.data().put("mode", "deaf"), Duration.ofSeconds(2));
      WorkEnvelope failing = f.work(Works.data().put("mode", "fail").put("n", 7), Duration.ofSeconds(30));
      // The deaf item goes first (one partition, so in this order): the first slot to join the share
      // group starts it at once, even when the other slots join late; the others time out either way.
      f.send(deaf, expired, polite, failing);

      List<ResultsReader.Result> all = results.await("4 results", r -> r.size() >= 4, Duration.ofSeconds(30));
      Map<String, ResultsReader.Result> byId = all.stream()
          .collect(Collectors.toMap(r -> r.envelope().workId(), r -> r));
      assertEquals(4, byId.size());
      assertEquals(ResultStatus.TIMED_OUT, byId.get(expired.workId()).envelope().status());
      assertFalse(ran.contains(expired.workId()), "expired work must not run");
      assertEquals(ResultStatus.TIMED_OUT, byId.get(polite.workId()).envelope().status());
      assertEquals(ResultStatus.TIMED_OUT, byId.get(deaf.workId()).envelope().status());
      assertTrue(byId.get(deaf.workId()).envelope().error().contains("did not stop"));
      assertEquals(ResultStatus.FAILED, byId.get(failing.workId()).envelope().status());
      assertEquals("bad input: 7", byId.get(failing.workId()).envelope().error());
      for (ResultsReader.Result r : all) {
        f.assertSigned(r);
      }
      RuntimeFixture.awaitTrue("counters settle", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(5));
      assertEquals(3, runtime.counters().timedOut());
      assertEquals(1, runtime.counters().failed());

      WorkEnvelope after = f.work(Works.data(), Duration.ofSeconds(30));
      f.send(after);
      results.await("a result for later work", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(after.workId())), Duration.ofSeconds(30));
    }
  }

  @Test
  void undecodableRecordsAreRejectedToTheDeadLetterTopicAndDoNotStallLaterWork(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      String dlq = "dlq." + f.topics.work(RuntimeFixture.QUEUE);
      WorkerRuntime runtime = f.start(f.settings(2).deadLetterTopic(dlq), (data, ctx) -> data);
      f.sendAsync("poison-1", "not json at all".getBytes(StandardCharsets.UTF_8)).get();
      f.sendAsync("poison-2", "{\"schema\":\"gowork.work/v1\",\"workId\":\"x\"}".getBytes(StandardCharsets.UTF_8)).get();
      f.sendAsync("poison-3", null).get();
      WorkEnvelope[] good = {f.work(Works.data().put("n", 1), Duration.ofSeconds(30)),
          f.work(Works.data().put("n", 2), Duration.ofSeconds(30)), f.work(Works.data().put("n", 3), Duration.ofSeconds(30))};
      f.send(good);

      List<ResultsReader.Result> all = results.await("3 results", r -> r.size() >= 3, Duration.ofSeconds(30));
      assertEquals(Set.of(good[0].workId(), good[1].workId(), good[2].workId()),
          all.stream().map(r -> r.envelope().workId()).collect(Collectors.toSet()));
      RuntimeFixture.awaitTrue("three rejections", () -> runtime.counters().rejected() == 3, Duration.ofSeconds(10));
      List<String> letters = deadLetters(f, dlq);
      assertEquals(3, letters.size(), "dead letters " + letters);
      assertEquals(3, Set.copyOf(letters).size(), "dead letters " + letters);
    }
  }

  /** The dead letters' source coordinates ({@code partition@offset}), read from the broker's DLQ headers. */
  private static List<String> deadLetters(RuntimeFixture f, String dlq) throws InterruptedException {
    List<String> letters = new java.util.ArrayList<>();
    try (Consumer<String, byte[]> c = f.kafka.clients().consumer(null, Map.of())) {
      RuntimeFixture.awaitTrue("the dead-letter topic exists", () -> !c.partitionsFor(dlq).isEmpty(),
          Duration.ofSeconds(15));
      List<TopicPartition> parts = c.partitionsFor(dlq).stream().map(p -> new TopicPartition(dlq, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (letters.size() < 3 && System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          assertTrue(header(r, "__dlq.errors.message").contains("rejected"), header(r, "__dlq.errors.message"));
          letters.add(header(r, "__dlq.errors.partition") + "@" + header(r, "__dlq.errors.offset"));
        }
      }
    }
    return letters;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
