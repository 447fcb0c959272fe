package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How long a handler has run is a duration: when to send its {@code running} notice and progress
 * reports, and the {@code durationMs} of the notices and of its result, are measured on the replica's
 * monotonic source, not on the wall clock, which NTP (or a resumed VM) may step either way. The tests
 * step the replica's wall clock alone ({@link SkippingClock#skip}) and let time pass on both at once
 * ({@link SkippingClock#advance}) instead of waiting for it.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RunningTimeOutlastsAWallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration STEP_BACK = Duration.ofMinutes(-10);

  /**
   * Before the fix the notice was due when the wall clock reached the handler's start plus the notice
   * time, so a step back put it off by the size of the step; so did the next progress report, due a
   * second after the last notice on that clock; and the result's running time was the wall clock's,
   * 0 after the step back.
   */
  @Test
  void aStepBackDoesNotPutTheRunningNoticeOrTheNextProgressReportOff(TestKafka kafka) throws Exception {
    Duration notice = Duration.ofSeconds(20);
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch report = new CountDownLatch(1);
      CountDownLatch mayEnd = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        started.countDown();
        report.await(60, TimeUnit.SECONDS);
        ctx.progress(50, "half way");
        mayEnd.await(60, TimeUnit.SECONDS);
        return data;
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1)
              .lockDuration(Duration.ofSeconds(60)).runningNotice(notice).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      f.send(work);
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");

      clock.skip(STEP_BACK);
      clock.advance(notice.plusSeconds(1));
      ResultEnvelope first = awaitNotices(results, 1).get(0).envelope();
      assertEquals(work.workId(), first.workId());
      assertTrue(first.durationMs() >= notice.plusSeconds(1).toMillis(), "running for " + first.durationMs() + " ms");

      clock.skip(STEP_BACK);
      report.countDown();
      clock.advance(Duration.ofSeconds(1));
      ResultEnvelope second = awaitNotices(results, 2).get(1).envelope();
      assertEquals(50, second.result().path("percent").asInt(), second.toString());
      assertTrue(second.durationMs() >= notice.plusSeconds(2).toMillis(), "running for " + second.durationMs() + " ms");

      mayEnd.countDown();
      ResultEnvelope result = results.await("the result", r -> !r.isEmpty(), WAIT).get(0).envelope();
      assertEquals(ResultStatus.COMPLETED, result.status());
      assertTrue(result.durationMs() >= notice.plusSeconds(2).toMillis(), "ran for " + result.durationMs() + " ms");
    }
  }

  /**
   * A handler's first progress report is sent at once. Its notice's running time was the wall clock's
   * now minus the handler's start on that clock: after a step back, about minus ten minutes.
   */
  @Test
  void aProgressReportAfterAStepBackCarriesARunningTimeThatIsNotNegative(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch report = new CountDownLatch(1);
      CountDownLatch mayEnd = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        started.countDown();
        report.await(60, TimeUnit.SECONDS);
        ctx.progress(10, "begun");
        mayEnd.await(60, TimeUnit.SECONDS);
        return data;
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1)
              .runningNotice(Duration.ofMinutes(30)).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      f.send(f.work(Works.data(), Duration.ofHours(4)));
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");

      clock.skip(STEP_BACK);
      report.countDown();
      ResultEnvelope sent = awaitNotices(results, 1).get(0).envelope();
      assertEquals(10, sent.result().path("percent").asInt(), sent.toString());
      assertTrue(sent.durationMs() >= 0, "running for " + sent.durationMs() + " ms");
      mayEnd.countDown();
      ResultEnvelope result = results.await("the result", r -> !r.isEmpty(), WAIT).get(0).envelope();
      assertEquals(ResultStatus.COMPLETED, result.status());
    }
  }

  /**
   * A handler that ignores its deadline is interrupted and reported {@code timed_out} by the poll
   * thread, with how long it ran. That was the wall clock's time since its start: after a step forward
   * past the deadline, the size of the step, not the grace it actually ran past the signal.
   */
  @Test
  void aHandlerInterruptedAfterAStepForwardReportsTheTimeItRanNotTheStep(TestKafka kafka) throws Exception {
    Duration step = Duration.ofMinutes(5);
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      CountDownLatch started = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        started.countDown();
        Thread.sleep(90_000); // interrupted
        return data;
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).build())
          .handler(handler).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      f.send(f.work(Works.data(), Duration.ofMinutes(2)));
      assertTrue(started.await(30, TimeUnit.SECONDS), "the handler started");

      clock.skip(step);
      ResultEnvelope result = results.await("the result", r -> !r.isEmpty(), WAIT).get(0).envelope();
      assertEquals(ResultStatus.TIMED_OUT, result.status());
      assertTrue(result.durationMs() >= 0 && result.durationMs() < step.toMillis(),
          "ran for " + result.durationMs() + " ms");
    }
  }

  private static List<ResultsReader.Result> awaitNotices(ResultsReader results, int n) {
    results.await(n + " running notices", r -> results.notices().size() >= n, WAIT);
    return results.notices();
  }
}
