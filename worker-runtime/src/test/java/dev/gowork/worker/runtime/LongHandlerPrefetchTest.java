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
 * A Kafka 4.4 share consumer keeps fetching in the background after every poll until it acquires
 * something, and keeps what it acquired in its buffer until a later poll. A lane whose handler runs
 * longer than the lock (its lock renewed) is polled only for the renewed record, which the consumer
 * returns ahead of its buffer: work that arrived meanwhile waits in the buffer past its lock, the
 * broker hands it out again (to the same consumer too), and when the long handler ends the lane
 * polled each copy in turn (deliveries 1, 2, 3, 4 with a 6 s handler on a 2 s lock) and ran every one.
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
      f.start(f.settings(1).workPartitions(1).lockDuration(Duration.ofSeconds(2)), counting(runs, 6_000));
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
    }
  }
}
