package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slots that take several records per share fetch ({@code GOWORK_BATCH_SIZE} above 1) and run them
 * back to back on one work thread. Real broker, stub coordinator. The work is produced before the
 * replica starts, on one partition, so that a slot's first fetch holds several records.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class BatchTest {

  @Test
  void batchedSlotsRunEveryItemOnceAndAnswerExpiredAndUndecodableRecordsInTheBatch(TestKafka kafka)
      throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      onePartitionWorkTopic(f);
      List<WorkEnvelope> works = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        works.add(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      WorkEnvelope expired = Works.work(RuntimeFixture.QUEUE, Works.data(), Instant.now().minusSeconds(60),
          Duration.ofSeconds(1));
      works.add(150, expired);
      f.sendAsync("junk", "not json".getBytes(StandardCharsets.UTF_8)).get();
      f.send(works.toArray(WorkEnvelope[]::new));
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkHandler counting = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        return data;
      };
      WorkerRuntime a = f.start(f.settings(2).batchSize(32), counting);
      WorkerRuntime b = f.start(f.settings(2).batchSize(32), counting);

      results.await("301 results", all -> all.stream().map(r -> r.envelope().workId()).distinct().count() >= 301,
          Duration.ofSeconds(90));
      RuntimeFixture.awaitTrue("nothing in flight", () -> a.counters().inFlight() == 0 && b.counters().inFlight() == 0,
          Duration.ofSeconds(30));
      a.close();
      b.close();
      List<ResultsReader.Result> all = results.drain(Duration.ofMillis(500));

      Map<String, Integer> perWork = RuntimeFixture.countBy(all, r -> r.envelope().workId());
      assertEquals(301, perWork.size());
      perWork.forEach((id, n) -> assertEquals(1, n, "results for " + id));
      for (ResultsReader.Result r : all) {
        ResultStatus expected = r.envelope().workId().equals(expired.workId()) ? ResultStatus.TIMED_OUT
            : ResultStatus.COMPLETED;
        assertEquals(expected, r.envelope().status(), "status of " + r.envelope().workId());
        f.assertSigned(r);
      }
      assertEquals(300, runs.size());
      runs.forEach((id, n) -> assertEquals(1, n.get(), "runs of " + id));
      assertEquals(1, a.counters().rejected() + b.counters().rejected());
      assertEquals(300, a.counters().processed() + b.counters().processed());
    }
  }

  @Test
  void aHandlerStuckPastItsDeadlineDoesNotHoldUpTheRestOfItsBatch(TestKafka kafka) throws Exception {
    CompletableFuture<Void> unstick = new CompletableFuture<>();
    CountDownLatch stuckRuns = new CountDownLatch(1);
    SkippingClock clock = new SkippingClock();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      onePartitionWorkTopic(f);
      // Its deadline passes while it runs (after the replica joined), well before half the 30 s lock.
      WorkEnvelope stuck = f.work(Works.data().put("stuck", true), Duration.ofSeconds(8));
      List<WorkEnvelope> works = new ArrayList<>(List.of(stuck));
      for (int i = 0; i < 7; i++) {
        works.add(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      f.send(works.toArray(WorkEnvelope[]::new));
      WorkerRuntime runtime = f.start(f.settings(1).batchSize(8).lockDuration(Duration.ofSeconds(30)), (data, ctx) -> {
        if (data.path("stuck").asBoolean()) {
          stuckRuns.countDown();
        }
        while (data.path("stuck").asBoolean() && !unstick.isDone()) {
          try {
            unstick.get();
          } catch (InterruptedException | ExecutionException ignoredOnPurpose) {
            // a handler that ignores cancellation and interrupts
          }
        }
        return data;
      }, clock);
      // Once it runs, the replica's clock passes its 8 s deadline (9 s on, still well before half the
      // lock) instead of the test waiting for it in real time.
      assertTrue(stuckRuns.await(60, TimeUnit.SECONDS), "the stuck item started");
      clock.skip(Duration.ofSeconds(9));

      List<ResultsReader.Result> all = results.await("8 results", r -> r.size() >= 8, Duration.ofSeconds(60));
      unstick.complete(null);
      for (ResultsReader.Result r : all) {
        boolean isStuck = r.envelope().workId().equals(stuck.workId());
        assertEquals(isStuck ? ResultStatus.TIMED_OUT : ResultStatus.COMPLETED, r.envelope().status(),
            "status of " + r.envelope().workId());
        assertEquals(1, r.envelope().attempt(), "the rest of the batch ran on another thread, not handed back");
        f.assertSigned(r);
      }
      assertEquals(8, RuntimeFixture.countBy(all, r -> r.envelope().workId()).size());
      // The counters move when the poll thread handles each write's completion, a moment after the
      // result is visible on the topic.
      RuntimeFixture.awaitTrue("the counters to catch up", () -> runtime.counters().processed() == 7
          && runtime.counters().timedOut() == 1, Duration.ofSeconds(30));
      assertEquals(7, runtime.counters().processed());
      assertEquals(1, runtime.counters().timedOut());
      assertEquals(0, runtime.counters().released());
    } finally {
      unstick.complete(null);
    }
  }

  @Test
  void aLongHandlerHandsBackTheRecordsWaitingBehindItAndKeepsItsOwnLock(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      onePartitionWorkTopic(f);
      WorkEnvelope slow = f.work(Works.data().put("slow", true), Duration.ofMinutes(2));
      List<WorkEnvelope> works = new ArrayList<>(List.of(slow));
      for (int i = 0; i < 3; i++) {
        works.add(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      f.send(works.toArray(WorkEnvelope[]::new));
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      // The fixture's lock is 5 s: the slow handler outlives it, so the records behind it must be handed
      // back at half the lock (else their locks run out while they wait) and its own lock renewed.
      WorkerRuntime runtime = f.start(f.settings(1).batchSize(4), (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        if (data.path("slow").asBoolean()) {
          Thread.sleep(7_000);
        }
        return data;
      });

      results.await("4 results", r -> r.size() >= 4, Duration.ofSeconds(90));
      RuntimeFixture.awaitTrue("nothing in flight", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(30));
      runtime.close();
      List<ResultsReader.Result> all = results.drain(Duration.ofMillis(500));

      Map<String, Integer> perWork = RuntimeFixture.countBy(all, r -> r.envelope().workId());
      assertEquals(4, perWork.size());
      perWork.forEach((id, n) -> assertEquals(1, n, "results for " + id));
      for (ResultsReader.Result r : all) {
        assertEquals(ResultStatus.COMPLETED, r.envelope().status());
        if (r.envelope().workId().equals(slow.workId())) {
          assertEquals(1, r.envelope().attempt(), "the slow item kept its lock");
        }
        f.assertSigned(r);
      }
      runs.forEach((id, n) -> assertEquals(1, n.get(), "runs of " + id));
      assertEquals(4, runtime.counters().processed());
      assertTrue(runtime.counters().released() >= 1, "records waiting behind the slow one were handed back");
    }
  }

  private static void onePartitionWorkTopic(RuntimeFixture f) throws Exception {
    try (Admin admin = f.kafka.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.work(RuntimeFixture.QUEUE), 1, 1)));
    }
  }
}
