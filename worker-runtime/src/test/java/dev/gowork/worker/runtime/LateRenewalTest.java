package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The poll thread stalls past a long handler's lock (a GC pause, a Kafka send that blocks, a slow
 * close of another lane): the RENEW comes too late. The broker refuses it and hands the record out
 * again, to this consumer as well, in the same poll that reports the refusal. The lane took that new
 * delivery for the renewed record but kept it marked lost, so never acknowledged it: every later poll
 * failed with "All records must be acknowledged", and the slot was dead for good.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class LateRenewalTest {

  /** The system clock, except that the poll thread's next read after {@link #stall} sleeps that long. */
  static final class StallingClock extends Clock {
    private volatile long stallMillis;
    private final AtomicBoolean armed = new AtomicBoolean();

    void stall(Duration d) {
      stallMillis = d.toMillis();
      armed.set(true);
    }

    @Override
    public Instant instant() {
      if (Thread.currentThread().getName().startsWith("gowork-consume") && armed.compareAndSet(true, false)) {
        try {
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void aSlotWhoseRenewalCameTooLateStillTakesWork(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      StallingClock clock = new StallingClock();
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkHandler handler = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        if (data.asText().equals("long")) {
          Thread.sleep(6_000);
        }
        return data;
      };
      WorkerRuntime runtime = f.start(f.settings(1).workPartitions(1).lockDuration(Duration.ofSeconds(2)), handler,
          clock);
      WorkEnvelope slow = f.work(TextNode.valueOf("long"), Duration.ofSeconds(60));
      f.send(slow);
      RuntimeFixture.awaitTrue("the long item runs", () -> runs.containsKey(slow.workId()), Duration.ofSeconds(30));
      clock.stall(Duration.ofMillis(5_000));
      results.await("the long item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(slow.workId())), Duration.ofSeconds(40));
      WorkEnvelope later = f.work(TextNode.valueOf("quick"), Duration.ofSeconds(60));
      f.send(later);
      // Before the fix the one slot failed every poll from here on ("All records must be acknowledged
      // in explicit acknowledgement mode"): the later item never ran on this replica.
      results.await("the later item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(later.workId())), Duration.ofSeconds(40));
      assertTrue(runs.get(later.workId()).get() >= 1);
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }

  /**
   * A shorter stall (3.3 s on a 2 s lock): the lock runs out, and the consumer, still fetching in the
   * background, acquires the record again (delivery 2) and buffers it. The late RENEW is then accepted
   * (the broker's record is acquired by this member, as delivery 2) and renews that delivery; the
   * record comes back and is ACCEPTed, but the buffered copy stayed: the lane polled it next and ran
   * the handler again, and work sent meanwhile waited in the buffer past its lock and ran up to three
   * times ("The batch cannot be acknowledged" for the stale copies). Not sending the late RENEW would
   * not help: the copy is buffered before it ({@link LongHandlerPrefetchTest} shows the same with no
   * stall at all).
   */
  @Test
  void afterALateButAcceptedRenewalNothingRunsTwice(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      StallingClock clock = new StallingClock();
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      f.start(f.settings(1).workPartitions(1).lockDuration(Duration.ofSeconds(2)),
          LongHandlerPrefetchTest.counting(runs, 6_000), clock);
      WorkEnvelope slow = f.work(TextNode.valueOf("long"), Duration.ofSeconds(60));
      f.send(slow);
      RuntimeFixture.awaitTrue("the long item runs", () -> runs.containsKey(slow.workId()), Duration.ofSeconds(30));
      clock.stall(Duration.ofMillis(3_300));
      results.await("the long item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(slow.workId())), Duration.ofSeconds(40));
      WorkEnvelope later = f.work(TextNode.valueOf("quick"), Duration.ofSeconds(60));
      f.send(later);
      results.await("the later item's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(later.workId())), Duration.ofSeconds(40));
      WorkEnvelope marker = f.work(TextNode.valueOf("marker"), Duration.ofSeconds(60));
      f.send(marker);
      results.await("the marker's result", r -> r.stream()
          .anyMatch(x -> x.envelope().workId().equals(marker.workId())), Duration.ofSeconds(40));
      org.junit.jupiter.api.Assertions.assertEquals(1, runs.get(slow.workId()).get(), "runs of the long item " + runs);
      org.junit.jupiter.api.Assertions.assertEquals(1, runs.get(later.workId()).get(), "runs of the later item " + runs);
    }
  }
}
