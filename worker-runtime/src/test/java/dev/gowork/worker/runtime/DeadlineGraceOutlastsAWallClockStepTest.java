package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler that ignores the signal given at its work's deadline is interrupted once the cancel grace
 * has passed since the signal. The deadline is a time on the wall clock; the grace is a duration, timed
 * on the replica's monotonic source: it was the wall clock's deadline plus the grace, so a step back of
 * the clock after the signal (NTP, a resumed VM) put the interrupt off by the size of the step.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class DeadlineGraceOutlastsAWallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aStepBackAfterTheDeadlineSignalDoesNotPutTheInterruptOff(TestKafka kafka) throws Exception {
    Duration grace = Duration.ofSeconds(20);
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
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
      // A deadline well inside the session's hour, so that the timed_out result can still be signed.
      WorkEnvelope work = f.work(Works.data(), Duration.ofMinutes(5));
      f.send(work);
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");
      clock.skip(Duration.ofMinutes(5)); // the deadline passes on the wall clock
      assertTrue(signalled.await(30, TimeUnit.SECONDS), "the handler was told its deadline came");

      clock.skip(Duration.ofMinutes(-10));
      clock.advance(grace.plusSeconds(1));
      // Before the fix the interrupt waited for the wall clock to reach the deadline plus the grace again.
      assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the handler interrupted after the grace");
      RuntimeFixture.awaitTrue("the timed_out result written", () -> runtime.counters().timedOut() == 1, WAIT);
      assertEquals(0, runtime.counters().inFlight(), runtime.counters().toString());
    }
  }
}
