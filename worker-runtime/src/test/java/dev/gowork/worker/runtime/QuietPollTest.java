package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An idle replica polls less often ({@link PollPace}): the loop must see the records that end a quiet
 * spell, on the monotonic clock, and still run work that arrives while it is quiet.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class QuietPollTest {

  @Test
  void workArrivingAfterAQuietSpellRunsAndEndsIt(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      WorkHandler echo = (data, ctx) -> data;
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(2).build())
          .handler(echo).clock(clock).nanoTime(clock::nanoTime).start();
      f.adopt(runtime);
      clock.advance(PollPace.QUIET_AFTER.multipliedBy(5));
      long quietUntil = clock.nanoTime();

      f.send(f.work(Works.data().put("n", 1), Duration.ofMinutes(5)), f.work(Works.data().put("n", 2), Duration.ofMinutes(5)));
      List<ResultsReader.Result> done = results.await("two results", r -> r.size() >= 2, Duration.ofSeconds(60));

      done.forEach(r -> assertEquals(ResultStatus.COMPLETED, r.envelope().status()));
      assertTrue(runtime.lastRecordsNanos() - quietUntil >= 0,
          "the records that ended the quiet spell were seen by the loop's pace");
    }
  }
}
