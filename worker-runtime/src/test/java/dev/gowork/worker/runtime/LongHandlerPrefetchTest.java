package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Work that arrives while a lane's handler runs past the lock (its lock renewed). A Kafka 4.4 share
 * consumer polled while a RENEW of its is unconfirmed sends a share fetch with it, and keeps what that
 * fetch acquires in its buffer behind the renewed record: the work waited there past its lock, the
 * broker handed it out again (to the same consumer too), and when the long handler ended the lane
 * polled each copy in turn (deliveries 1, 2, 3, 4 with a 6 s handler on a 2 s lock). The lane ran
 * every one at first; then it ran the first and acknowledged the others unrun; now it polls for
 * renewed records only once the broker has confirmed the RENEW, and no copy is made.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class LongHandlerPrefetchTest {

  static WorkHandler counting(Map<String, AtomicInteger> runs, long longMillis) {
    return (data, ctx) -> {
      runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
      if (data.asText().equals("long")) {
        Thread.sleep(longMillis);
      }
      return data;
    };
  }

  @Test
  void workThatArrivesWhileALongHandlerRunsRunsOnce(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkerRuntime runtime = f.start(f.settings(1).workPartitions(1).lockDuration(Duration.ofSeconds(2)),
          counting(runs, 6_000));
      WorkEnvelope slow = f.work(TextNode.valueOf("long"), Duration.ofSeconds(60));
      f.send(slow);
      RuntimeFixture.awaitTrue("the long item runs", () -> runs.containsKey(slow.workId()), Duration.ofSeconds(30));
      WorkEnvelope quick = f.work(TextNode.valueOf("quick"), Duration.ofSeconds(60));
      f.send(quick);
      results.await("the quick item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(quick.workId())), Duration.ofSeconds(40));
      // A marker behind them: once it has run, every copy buffered before it has been polled.
      WorkEnvelope marker = f.work(TextNode.valueOf("marker"), Duration.ofSeconds(60));
      f.send(marker);
      results.await("the marker's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(marker.workId())), Duration.ofSeconds(40));
      assertEquals(1, runs.get(quick.workId()).get(), "runs of the item that waited behind the long one: " + runs);
      assertEquals(1, runs.get(slow.workId()).get(), "runs of the long item: " + runs);
      assertEquals(0, runtime.counters().duplicates(), "copies delivered again: " + runtime.counters());
    }
  }

  /**
   * The lanes' renewals must not acquire work they cannot run: a RENEW that rides on a poll before the
   * broker confirmed it makes that poll fetch, and what it acquires waits in the consumer's buffer
   * past its lock, goes back to the group with one more delivery, and is taken by the next busy
   * lane's renewal. With both slots busy, work that arrived meanwhile ran as attempt 3 or 4 (each
   * bounce counted as an attempt), and five bounces cost it the work: the broker archives the record.
   */
  @Test
  void workThatArrivesWhileEverySlotRunsALongHandlerIsDeliveredOnce(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      Map<String, Integer> attempts = new ConcurrentHashMap<>();
      WorkHandler counting = counting(runs, 6_000);
      WorkerRuntime runtime = f.start(f.settings(2).workPartitions(1).lockDuration(Duration.ofSeconds(2)), (data, ctx) -> {
        attempts.merge(ctx.workId(), ctx.attempt(), Math::max);
        return counting.handle(data, ctx);
      });
      WorkEnvelope slow1 = f.work(TextNode.valueOf("long"), Duration.ofSeconds(60));
      WorkEnvelope slow2 = f.work(TextNode.valueOf("long"), Duration.ofSeconds(60));
      f.send(slow1);
      f.send(slow2);
      RuntimeFixture.awaitTrue("both long items run",
          () -> runs.containsKey(slow1.workId()) && runs.containsKey(slow2.workId()), Duration.ofSeconds(30));
      WorkEnvelope quick = f.work(TextNode.valueOf("quick"), Duration.ofSeconds(60));
      f.send(quick);
      results.await("the quick item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(quick.workId())), Duration.ofSeconds(40));
      assertEquals(1, attempts.get(quick.workId()), "attempt of the item that waited behind the long ones: "
          + attempts);
      assertEquals(1, runs.get(quick.workId()).get(), "runs of the item that waited: " + runs);
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(30));
      assertEquals(0, runtime.counters().duplicates(), "copies delivered again: " + runtime.counters());
    }
  }
}
