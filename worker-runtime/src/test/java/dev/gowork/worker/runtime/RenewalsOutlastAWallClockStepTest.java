package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.Watched;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wall clock steps forward past the lock (a clock corrected by NTP, a VM resumed) while a running
 * handler's RENEW is out. The RENEW's patience was measured on that clock, so the lane's next poll
 * that did not bring the record back presumed its lock lost: nothing renewed it again, the lock ran
 * out and the work could run again elsewhere. The step is made as the RENEW is sent, and the
 * record's return is held back one poll, so that the lane certainly polls once without it after the
 * step.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RenewalsOutlastAWallClockStepTest {
  private static final Duration LOCK = Duration.ofSeconds(2);

  @Test
  void aWallClockStepPastTheLockWhileARenewIsOutDoesNotEndTheRenewals(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      CountDownLatch mayEnd = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      WorkHandler handler = (data, ctx) -> {
        runs.incrementAndGet();
        mayEnd.await(60, TimeUnit.SECONDS);
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).lockDuration(LOCK).build())
          .handler(handler).clock(clock).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the running item's lock renewed", () -> watched.renewals(work) >= 1,
          Duration.ofSeconds(30));

      AtomicInteger renewedAtStep = new AtomicInteger(-1);
      watched.whenRenewed(work, () -> {
        clock.skip(Duration.ofMinutes(10));
        watched.withholdNext(work);
        renewedAtStep.set(watched.renewals(work));
      });
      RuntimeFixture.awaitTrue("the clock stepped during a RENEW", () -> renewedAtStep.get() >= 0,
          Duration.ofSeconds(30));
      // Before the fix the RENEW during the step was the last: its record was presumed lost.
      RuntimeFixture.awaitTrue("renewed on after the step", () -> watched.renewals(work) >= renewedAtStep.get() + 3,
          Duration.ofSeconds(30));

      mayEnd.countDown();
      ResultsReader.Result written = results.await("the result", r -> !r.isEmpty(), Duration.ofSeconds(30)).get(0);
      assertEquals(work.workId(), written.envelope().workId());
      assertEquals(ResultStatus.COMPLETED, written.envelope().status());
      assertEquals(1, written.envelope().attempt(), "not delivered again");
      assertEquals(1, runs.get());
      assertEquals(0, watched.failedPolls(), "polls that failed");
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }
}
