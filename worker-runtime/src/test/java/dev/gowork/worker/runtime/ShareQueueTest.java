package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several replicas on one queue: sharing, a crash, a graceful close. Real broker, stub coordinator. */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ShareQueueTest {

  @Test
  void threeRuntimesShareAThousandItemsAndRunEachOnce(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkHandler counting = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        return data;
      };
      List<WorkerRuntime> replicas = List.of(f.start(f.settings(2), counting), f.start(f.settings(2), counting),
          f.start(f.settings(2), counting));
      List<WorkEnvelope> works = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        works.add(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      f.send(works.toArray(WorkEnvelope[]::new));

      results.await("1000 completed results", all -> all.stream().map(r -> r.envelope().workId())
          .distinct().count() >= 1000, Duration.ofSeconds(90));
      replicas.forEach(WorkerRuntime::close);
      List<ResultsReader.Result> all = results.drain(Duration.ofMillis(500));

      Map<String, Integer> perWork = RuntimeFixture.countBy(all, r -> r.envelope().workId());
      assertEquals(1000, perWork.size());
      perWork.forEach((id, n) -> assertEquals(1, n, "results for " + id));
      for (ResultsReader.Result r : all) {
        assertEquals(ResultStatus.COMPLETED, r.envelope().status());
        f.assertSigned(r);
      }
      assertEquals(1000, runs.size());
      runs.forEach((id, n) -> assertEquals(1, n.get(), "runs of " + id));
      assertEquals(1000, replicas.stream().mapToLong(r -> r.counters().processed()).sum());
      System.out.println("per replica: " + replicas.stream().map(r -> r.counters().processed()).toList());
    }
  }

  @Test
  void aCrashedRuntimesWorkIsDeliveredToAnotherAsAttemptTwo(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Set<String> heldByCrashed = ConcurrentHashMap.newKeySet();
      // One partition: with as many members as partitions, each partition has one member (the broker's
      // simple assignor), so both slots can only be busy at once if they share the partition.
      WorkerRuntime crashing = f.start(f.settings(2).workPartitions(1), (data, ctx) -> {
        heldByCrashed.add(ctx.workId());
        ctx.cancellation().toCompletableFuture().get();
        return data;
      });
      List<WorkEnvelope> works = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        works.add(f.work(Works.data().put("i", i), Duration.ofMinutes(1)));
      }
      f.send(works.toArray(WorkEnvelope[]::new));
      RuntimeFixture.awaitTrue("the first replica runs two items",
          () -> heldByCrashed.size() == 2 && crashing.counters().inFlight() == 2, Duration.ofSeconds(30));

      crashing.crash();
      WorkerRuntime survivor = f.start(f.settings(2), (data, ctx) -> data);

      List<ResultsReader.Result> all = results.await("5 results", r -> r.size() >= 5, Duration.ofSeconds(60));
      assertEquals(5, all.size());
      for (ResultsReader.Result r : all) {
        assertEquals(ResultStatus.COMPLETED, r.envelope().status());
        assertEquals(survivor.workerId(), r.workerId());
        // A record the crashed replica acquired counts as a delivery even if it never ran it, so only
        // the two it was running are certain to come back as attempt 2.
        int atLeast = heldByCrashed.contains(r.envelope().workId()) ? 2 : 1;
        assertTrue(r.envelope().attempt() >= atLeast, "attempt of " + r.envelope().workId());
        f.assertSigned(r);
      }
      assertEquals(0, crashing.counters().processed());
    }
  }

  @Test
  void aSecondCloseReturnsOnlyOnceTheFirstHasFinished(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      WorkerRuntime r = f.start(f.settings(1), (data, ctx) -> data);
      // As in a process: the stop signal's thread closes, and main closes again before it exits.
      Thread signal = new Thread(r::close, "stop-signal");
      signal.start();
      RuntimeFixture.awaitTrue("the first close to begin", r::isClosing, Duration.ofSeconds(10));
      r.close();
      assertTrue(r.isClosed(), "main returned while the first close was still shutting down");
      signal.join(10_000);
    }
  }

  @Test
  void gracefulCloseFinishesRunningWorkAndReleasesTheRest(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Set<String> started = ConcurrentHashMap.newKeySet();
      WorkerRuntime closing = f.start(f.settings(2).workPartitions(1).shutdownGrace(Duration.ofSeconds(2)),
          (data, ctx) -> {
        started.add(ctx.workId());
        if (data.path("long").asBoolean()) {
          ctx.cancellation().toCompletableFuture().get();
          throw new IllegalStateException("stopped");
        }
        Thread.sleep(500);
        return data;
      });
      WorkEnvelope quick = f.work(Works.data().put("long", false), Duration.ofMinutes(1));
      WorkEnvelope slow = f.work(Works.data().put("long", true), Duration.ofMinutes(1));
      f.send(quick, slow);
      RuntimeFixture.awaitTrue("both items run", () -> started.size() == 2, Duration.ofSeconds(30));

      closing.close();
      assertEquals(1, closing.counters().processed());
      assertEquals(1, closing.counters().released());
      assertEquals(0, closing.counters().inFlight());
      WorkerRuntime next = f.start(f.settings(1), (data, ctx) -> data);

      List<ResultsReader.Result> all = results.await("2 results", r -> r.size() >= 2, Duration.ofSeconds(60));
      Set<String> seen = new HashSet<>();
      for (ResultsReader.Result r : all) {
        seen.add(r.envelope().workId());
        assertEquals(ResultStatus.COMPLETED, r.envelope().status());
        if (r.envelope().workId().equals(quick.workId())) {
          assertEquals(closing.workerId(), r.workerId());
          assertEquals(1, r.envelope().attempt());
        } else {
          assertEquals(next.workerId(), r.workerId());
          assertTrue(r.envelope().attempt() >= 2, "a released item counts as a new attempt");
        }
        f.assertSigned(r);
      }
      assertEquals(Set.of(quick.workId(), slow.workId()), seen);
    }
  }
}
