package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A batch of two: the first item's result waits for an expired session to be renewed, while the
 * second runs longer than the lock. The lane renewed a lock only when no result of its batch was being
 * written, so the running item's lock (and the waiting result's) ran out and the broker handed the work
 * out again: it ran twice. The replica's real consumer is wrapped to see the RENEWs it sends.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RenewBehindAHeldResultTest {

  @Test
  void theRestOfABatchKeepsItsLockWhileAResultWaitsForTheSession(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.work(RuntimeFixture.QUEUE), 1, 1)));
      }
      SkippingClock clock = new SkippingClock();
      WorkEnvelope first = f.work(Works.data().put("first", true), Duration.ofHours(4));
      WorkEnvelope second = f.work(Works.data(), Duration.ofHours(4));
      f.send(first, second);
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      CountDownLatch secondRuns = new CountDownLatch(1);
      CountDownLatch secondMayEnd = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        if (data.path("first").asBoolean()) {
          clock.skip(Duration.ofHours(2)); // the one-hour session expires as the first item ends
        } else if (ctx.workId().equals(second.workId())) {
          secondRuns.countDown();
          secondMayEnd.await(60, TimeUnit.SECONDS);
        }
        return data;
      };
      Map<String, AtomicInteger> renewed = new ConcurrentHashMap<>();
      WorkerSettings settings = f.settings(1).batchSize(2).handshakeAttempts(1).lockDuration(Duration.ofSeconds(2))
          .build();
      WorkerRuntime runtime = WorkerRuntime.builder(settings).handler(handler).clock(clock)
          .wrapConsumers(real -> watchRenewals(real, renewed)).start();
      f.adopt(runtime);

      assertTrue(secondRuns.await(60, TimeUnit.SECONDS), "the second item runs");
      assertEquals(0, results.drain(Duration.ZERO).size(), "the first result waits for the session");
      // Before the fix no RENEW was sent while the first result waited, and the locks ran out. Three
      // RENEWs each (one per half lock) show that both records came back after each of them.
      RuntimeFixture.awaitTrue("the running item's lock renewed, and the waiting result's with it",
          () -> renewals(renewed, second) >= 3 && renewals(renewed, first) >= 3, Duration.ofSeconds(15));

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      secondMayEnd.countDown();
      List<ResultsReader.Result> written = results.await("both results", r -> r.size() >= 2, Duration.ofSeconds(30));
      WorkEnvelope later = f.work(Works.data(), Duration.ofHours(4));
      f.send(later);
      written = results.await("a later item's result (the slot still takes work)", r -> r.size() >= 3,
          Duration.ofSeconds(30));
      assertEquals(Map.of(first.workId(), 1, second.workId(), 1, later.workId(), 1),
          RuntimeFixture.countBy(written, r -> r.envelope().workId()));
      for (ResultsReader.Result r : written) {
        assertEquals(ResultStatus.COMPLETED, r.envelope().status());
        assertEquals(1, r.envelope().attempt(), "not delivered again: " + r.envelope().workId());
        f.assertSigned(r);
      }
      assertEquals(1, runs.get(first.workId()).get());
      assertEquals(1, runs.get(second.workId()).get());
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }

  private static int renewals(Map<String, AtomicInteger> renewed, WorkEnvelope w) {
    AtomicInteger n = renewed.get(w.workId());
    return n == null ? 0 : n.get();
  }

  /** The real consumer, counting the RENEWs it is asked for by record key (the work id). */
  @SuppressWarnings("unchecked")
  private static ShareConsumer<String, byte[]> watchRenewals(ShareConsumer<String, byte[]> real,
      Map<String, AtomicInteger> renewed) {
    return (ShareConsumer<String, byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(),
        new Class<?>[] {ShareConsumer.class}, (proxy, method, args) -> {
          if (method.getName().equals("acknowledge") && args.length == 2 && args[1] == AcknowledgeType.RENEW) {
            renewed.computeIfAbsent(((ConsumerRecord<String, byte[]>) args[0]).key(), k -> new AtomicInteger())
                .incrementAndGet();
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
