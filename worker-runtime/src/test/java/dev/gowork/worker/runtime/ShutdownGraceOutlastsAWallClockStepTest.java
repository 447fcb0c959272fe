package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.CountingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A draining replica lets running work finish within the shutdown grace. The grace is a duration,
 * timed on the replica's monotonic source: it was on the wall clock, so a step forward of the clock
 * (NTP, a resumed VM) while draining ended it at once: running work was interrupted and handed back,
 * to run again elsewhere, although it had the time to finish.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ShutdownGraceOutlastsAWallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aStepForwardWhileDrainingDoesNotCutTheShutdownGraceShort(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      CountingClock clock = new CountingClock();
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch mayEnd = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      WorkHandler handler = (data, ctx) -> {
        runs.incrementAndGet();
        started.countDown();
        mayEnd.await(60, TimeUnit.SECONDS);
        return data;
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1)
              .shutdownGrace(Duration.ofSeconds(60)).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      f.send(work);
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");

      CompletableFuture<Void> closing = CompletableFuture.runAsync(runtime::close);
      RuntimeFixture.awaitTrue("closing", runtime::isClosing, WAIT);
      clock.awaitRounds(2); // the loop has begun draining
      clock.skip(Duration.ofMinutes(10));
      // Before the fix the grace was over at the step: the handler was interrupted, its record released,
      // and the loop stopped (so this wait for its rounds timed out).
      clock.awaitRounds(2); // the loop has seen the step
      mayEnd.countDown();
      ResultEnvelope result = results.await("the result", r -> !r.isEmpty(), WAIT).get(0).envelope();
      assertEquals(work.workId(), result.workId());
      assertEquals(ResultStatus.COMPLETED, result.status());
      closing.get(30, TimeUnit.SECONDS);
      assertEquals(1, runs.get());
      assertEquals(0, runtime.counters().released(), runtime.counters().toString());
    }
  }
}
