package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.CountingClock;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.Watched;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Steps of the wall clock (a clock corrected by NTP, a VM resumed) while a long handler runs must not
 * cost it its lock: a lock is a duration, so its renewal is timed on the replica's monotonic source.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RenewalsOutlastAWallClockStepTest {
  private static final Duration LOCK = Duration.ofSeconds(2);

  /**
   * The wall clock steps forward past the lock while a running handler's RENEW is out. The RENEW's
   * patience was measured on that clock, so the lane's next poll that did not bring the record back
   * presumed its lock lost: nothing renewed it again, the lock ran out and the work could run again
   * elsewhere. The step is made as the RENEW is sent, and the record's return is held back one poll,
   * so that the lane certainly polls once without it after the step.
   */
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

  /**
   * The wall clock steps back past half the lock while a long handler runs. Its next RENEW was due at
   * half the lock after the last on that clock, so it was put off by the size of the step, and the
   * lock ran out meanwhile: the work ran again elsewhere. The lock here is long (60 s), so the replica
   * renews only when the test lets time pass on its monotonic source (no waiting for the broker's lock).
   */
  @Test
  void aWallClockStepBackPastHalfTheLockDoesNotPutTheNextRenewOff(TestKafka kafka) throws Exception {
    Duration lock = Duration.ofSeconds(60);
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      CountingClock clock = new CountingClock();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      CountDownLatch mayEnd = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      WorkHandler handler = (data, ctx) -> {
        runs.incrementAndGet();
        mayEnd.await(60, TimeUnit.SECONDS);
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).lockDuration(lock).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the item runs", () -> runs.get() == 1, Duration.ofSeconds(30));
      AtomicBoolean back = new AtomicBoolean();
      watched.whenPolled(work, () -> back.set(true));

      clock.skip(Duration.ofMinutes(-10));
      clock.advance(lock.dividedBy(2).plusSeconds(1));
      // Before the fix the replica waited for its wall clock to reach half the lock after the acquisition.
      RuntimeFixture.awaitTrue("renewed at half the lock after the step back", () -> watched.renewals(work) >= 1,
          Duration.ofSeconds(30));
      RuntimeFixture.awaitTrue("the renewed record back", back::get, Duration.ofSeconds(30));
      clock.awaitRounds(1); // the replica has taken it back
      clock.advance(lock.dividedBy(2).plusSeconds(1));
      RuntimeFixture.awaitTrue("renewed again half a lock after it came back", () -> watched.renewals(work) >= 2,
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
