package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.testing.Works;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A record's lock was timed from the poll that returned it, though its share consumer may have acquired it
 * any time since the slot's previous poll for work. One polled after a wait of 0.4 of the lock (too short
 * for the RENEW check) had its first renewal at 0.5 of the lock after that poll, 0.9 of the lock after it
 * may have been acquired. Now it is due 0.1 of the lock after the poll. The replica's monotonic time is the
 * test's own and stands still unless the test moves it; the record is held back one poll while it moves
 * 0.4 of the lock, as a consumer's buffer would hold it.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class LockTimedFromThePreviousPollForWorkTest {
  private static final Duration LOCK = Duration.ofSeconds(20);

  @Test
  void workPolledAfterAWaitOfLessThanHalfTheLockIsRenewedHalfALockAfterThePreviousPoll(TestKafka kafka)
      throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      AtomicLong nanos = new AtomicLong();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(1));
      AtomicInteger renewals = new AtomicInteger();
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch mayEnd = new CountDownLatch(1);
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).lockDuration(LOCK).build())
          .handler((data, ctx) -> {
            running.countDown();
            mayEnd.await(60, TimeUnit.SECONDS);
            return data;
          })
          .nanoTime(nanos::get)
          .wrapConsumers(real -> heldBackOnePoll(real, work.workId(), () -> nanos.addAndGet(LOCK.toNanos() * 4 / 10),
              renewals))
          .start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the work runs", () -> running.getCount() == 0, Duration.ofSeconds(30));
      assertEquals(0, renewals.get(), "renewed before half the lock");

      nanos.addAndGet(LOCK.toNanos() / 10);
      // Before the fix its lock was timed from the poll that returned it: 0.1 of the lock had passed, and
      // with the replica's time standing still it was never renewed.
      RuntimeFixture.awaitTrue("renewed half a lock after the previous poll for work", () -> renewals.get() >= 1,
          Duration.ofSeconds(30));
      mayEnd.countDown();
      results.await("the result", r -> !r.isEmpty(), Duration.ofSeconds(30));
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(30));
    }
  }

  /**
   * The real consumer, except that the poll that returns {@code key}'s record returns nothing, runs
   * {@code meanwhile}, and hands the record to the next poll; counts the RENEWs of that record.
   */
  @SuppressWarnings("unchecked")
  private static ShareConsumer<String, byte[]> heldBackOnePoll(ShareConsumer<String, byte[]> real, String key,
      Runnable meanwhile, AtomicInteger renewals) {
    AtomicBoolean heldBack = new AtomicBoolean();
    AtomicReference<ConsumerRecords<String, byte[]>> stash = new AtomicReference<>();
    return (ShareConsumer<String, byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(),
        new Class<?>[] {ShareConsumer.class}, (p, method, args) -> {
          if (method.getName().equals("poll") && stash.get() != null) {
            return stash.getAndSet(null);
          }
          if (method.getName().equals("acknowledge") && args.length == 2 && args[1] == AcknowledgeType.RENEW
              && ((ConsumerRecord<String, byte[]>) args[0]).key().equals(key)) {
            renewals.incrementAndGet();
          }
          Object answer;
          try {
            answer = method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("poll") && !heldBack.get()) {
            ConsumerRecords<String, byte[]> polled = (ConsumerRecords<String, byte[]>) answer;
            for (ConsumerRecord<String, byte[]> r : polled) {
              if (r.key().equals(key) && heldBack.compareAndSet(false, true)) {
                stash.set(polled);
                meanwhile.run();
                return ConsumerRecords.empty();
              }
            }
          }
          return answer;
        });
  }
}
