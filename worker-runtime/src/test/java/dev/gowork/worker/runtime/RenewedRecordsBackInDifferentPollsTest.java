package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.Watched;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slot renews a running item's lock together with a result of its batch that waits for the
 * session, and the two come back from different polls, as records of partitions led by different
 * brokers do (the single test broker brings them back together, so the running item's return is
 * withheld from one poll). The lane presumed the running item's lock lost at once: nothing renewed it
 * again, its lock ran out while its handler still ran, and the work could run again elsewhere.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RenewedRecordsBackInDifferentPollsTest {

  @Test
  void aRunningItemWhoseRenewedRecordComesBackAPollLateKeepsItsLock(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.work(RuntimeFixture.QUEUE), 1, 1)));
      }
      SkippingClock clock = new SkippingClock();
      WorkEnvelope first = f.work(Works.data().put("first", true), Duration.ofHours(4));
      WorkEnvelope second = f.work(Works.data(), Duration.ofHours(4));
      f.send(first, second); // before the replica starts: its one slot takes both in one fetch
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      CountDownLatch secondMayEnd = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        if (data.path("first").asBoolean()) {
          clock.skip(Duration.ofHours(2)); // the one-hour session expires as the first item ends
        } else {
          secondMayEnd.await(60, TimeUnit.SECONDS);
        }
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).batchSize(2).handshakeAttempts(1)
          .lockDuration(Duration.ofSeconds(2)).build()).handler(handler).clock(clock).wrapConsumers(watched::wrap)
          .start();
      f.adopt(runtime);
      RuntimeFixture.awaitTrue("both renewed", () -> watched.renewals(first) >= 1 && watched.renewals(second) >= 1,
          Duration.ofSeconds(30));

      int before = watched.renewals(second);
      watched.withholdNext(second);
      // Before the fix the running item's renewals ended with the poll that brought back the result alone.
      RuntimeFixture.awaitTrue("the running item renewed on", () -> watched.renewals(second) >= before + 3,
          Duration.ofSeconds(30));
      assertEquals(0, watched.failedPolls(), "polls that failed");

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      secondMayEnd.countDown();
      List<ResultsReader.Result> written = results.await("both results", r -> r.size() >= 2, Duration.ofSeconds(30));
      assertEquals(Map.of(first.workId(), 1, second.workId(), 1),
          RuntimeFixture.countBy(written, r -> r.envelope().workId()));
      written.forEach(r -> assertEquals(1, r.envelope().attempt(), "not delivered again: " + r.envelope()));
      assertEquals(1, runs.get(second.workId()).get());
      assertTrue(watched.renewals(first) >= 2);
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }
}
