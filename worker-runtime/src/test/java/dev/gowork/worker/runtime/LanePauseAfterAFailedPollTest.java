package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.Watched;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After a failed poll a lane skips polling for a second. That second was on the wall clock: a step
 * back of the clock (NTP) during it lengthened the pause by the size of the step, and the slot took
 * no work (nor saw its renewed records come back) for that long. The test steps the replica's clock
 * back 10 minutes as the poll fails; the pause is over a second later on its monotonic source.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class LanePauseAfterAFailedPollTest {

  @Test
  void aWallClockStepBackDuringThePauseDoesNotLengthenIt(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).build())
          .handler((data, ctx) -> data).clock(clock).nanoTime(clock::nanoTime).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      WorkEnvelope first = f.work(Works.data(), Duration.ofHours(4));
      f.send(first);
      results.await("the first result (the slot takes work)", r -> !r.isEmpty(), Duration.ofSeconds(30));

      AtomicBoolean failed = new AtomicBoolean();
      watched.failNextPoll(() -> {
        clock.skip(Duration.ofMinutes(-10));
        failed.set(true);
      });
      RuntimeFixture.awaitTrue("a poll failed", failed::get, Duration.ofSeconds(30));
      WorkEnvelope second = f.work(Works.data(), Duration.ofHours(4));
      f.send(second);
      // Before the fix the slot stayed paused for the 10 minutes the clock stepped back.
      List<ResultsReader.Result> written = results.await("the second result", r -> r.size() >= 2,
          Duration.ofSeconds(30));
      assertEquals(Map.of(first.workId(), 1, second.workId(), 1),
          RuntimeFixture.countBy(written, r -> r.envelope().workId()));
    }
  }
}
