package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler of cancelled work that ignores the signal is interrupted once the cancel grace has passed
 * since the signal. That grace is a duration, timed on the replica's monotonic source: it was on the
 * wall clock, so a step back of the clock (NTP, a resumed VM) after the signal put the interrupt off
 * by the size of the step, and the slot stayed taken by work nobody wanted.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class CancelGraceOutlastsAWallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aStepBackAfterTheSignalDoesNotPutTheInterruptOff(TestKafka kafka) throws Exception {
    Duration grace = Duration.ofSeconds(20);
    try (RuntimeFixture f = new RuntimeFixture(kafka); Producer<String, byte[]> producer = kafka.clients().producer()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1)));
      }
      SkippingClock clock = new SkippingClock();
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch signalled = new CountDownLatch(1);
      CountDownLatch interrupted = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        started.countDown();
        ctx.cancellation().toCompletableFuture().get(60, TimeUnit.SECONDS);
        signalled.countDown();
        try {
          Thread.sleep(90_000); // ignores the signal
        } catch (InterruptedException e) {
          interrupted.countDown();
          throw e;
        }
        return data;
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1)
              .lockDuration(Duration.ofSeconds(60)).cancelGrace(grace).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      f.send(work);
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");
      ControlNoticesTest.cancel(producer, f, work);
      assertTrue(signalled.await(30, TimeUnit.SECONDS), "the handler was told the work was cancelled");

      clock.skip(Duration.ofMinutes(-10));
      clock.advance(grace.plusSeconds(1));
      // Before the fix the interrupt waited for the wall clock to reach the signal plus the grace again.
      assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the handler interrupted after the grace");
      RuntimeFixture.awaitTrue("the record settled as cancelled", () -> runtime.counters().cancelled() == 1, WAIT);
      Counters c = runtime.counters();
      assertEquals(0, c.inFlight(), c.toString());
      assertEquals(0, c.processed() + c.failed() + c.timedOut(), "no result written: " + c);
    }
  }
}
