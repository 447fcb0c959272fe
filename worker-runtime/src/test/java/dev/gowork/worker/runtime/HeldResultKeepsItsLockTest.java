package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slot's only record is finished, and its result waits for an expired session to be renewed (the
 * coordinator cannot be reached). Nothing of the lane ran any more, so nothing renewed the record's
 * lock: once the session took longer than the lock to come back, the broker handed the work to
 * another replica, which ran it again although this one had finished it. Now the held result's lock
 * is renewed, up to its work's deadline. The replica's real consumer is wrapped to see the RENEWs it
 * sends and the records its polls bring back.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class HeldResultKeepsItsLockTest {
  private static final Duration LOCK = Duration.ofSeconds(2);

  @Test
  void aResultWaitingForTheSessionLongerThanTheLockIsDeliveredAndItsWorkRunsOnce(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      SkippingClock clock = new SkippingClock();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      CountDownLatch otherStarted = new CountDownLatch(1);
      WorkHandler handler = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        if (ctx.workId().equals(work.workId())) {
          otherStarted.await(60, TimeUnit.SECONDS);
          clock.skip(Duration.ofHours(2)); // the one-hour session expires as the handler ends
        }
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).handshakeAttempts(1)
          .lockDuration(LOCK).build()).handler(handler).clock(clock).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the item runs", () -> runs.containsKey(work.workId()), Duration.ofSeconds(30));
      // A second replica, with a valid session, that takes the record if its lock runs out.
      f.start(f.settings(1).workPartitions(1).lockDuration(LOCK), handler);
      otherStarted.countDown();

      // Before the fix no RENEW was sent for a result alone in its lane. Three (one per half lock)
      // show that the record came back after each, for longer than its lock.
      RuntimeFixture.awaitTrue("the held result's lock renewed", () -> watched.renewals(work) >= 3,
          Duration.ofSeconds(20));
      assertEquals(0, results.drain(Duration.ZERO).size(), "the result waits for the session");

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      List<ResultsReader.Result> written = results.await("the held result", r -> !r.isEmpty(), Duration.ofSeconds(30));
      WorkEnvelope later = f.work(Works.data(), Duration.ofHours(4));
      f.send(later);
      written = results.await("a later item's result", r -> r.size() >= 2, Duration.ofSeconds(30));
      assertEquals(Map.of(work.workId(), 1, later.workId(), 1),
          RuntimeFixture.countBy(written, r -> r.envelope().workId()));
      ResultsReader.Result held = written.stream().filter(r -> r.envelope().workId().equals(work.workId()))
          .findFirst().orElseThrow();
      assertEquals(ResultStatus.COMPLETED, held.envelope().status());
      assertEquals(1, held.envelope().attempt(), "not delivered again");
      assertEquals(1, runs.get(work.workId()).get(), "runs " + runs);
      f.assertSigned(held);
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }

  /**
   * Past its work's deadline a held result's lock is no longer renewed: the coordinator times the work
   * out, and the record goes back to the group instead of staying, for as long as the session is away,
   * with a replica that cannot report it. The test moves the replica's clock past the deadline, then
   * past half a lock three times, and lets its poll thread go through rounds after each: without the
   * bound, the first round would have renewed the lock. (Time passes on the replica's monotonic
   * source too, which the lock is renewed on; the deadline is the wall clock's.)
   */
  @Test
  void pastItsDeadlineAHeldResultsLockIsLeftToRunOut(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      CountingClock clock = new CountingClock();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      WorkHandler handler = (data, ctx) -> {
        clock.skip(Duration.ofHours(2)); // the one-hour session expires as the handler ends
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).handshakeAttempts(1)
          .lockDuration(LOCK).build()).handler(handler).clock(clock).nanoTime(clock::nanoTime)
          .wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the held result's lock renewed", () -> watched.renewals(work) >= 1,
          Duration.ofSeconds(30));

      // Past the work's deadline at the moment a renewed record comes back, when no RENEW is out.
      AtomicInteger renewedBefore = new AtomicInteger(-1);
      watched.whenPolled(work, () -> {
        renewedBefore.set(watched.renewals(work));
        clock.skip(Duration.ofHours(3));
      });
      RuntimeFixture.awaitTrue("a renewed record back", () -> renewedBefore.get() >= 1, Duration.ofSeconds(20));
      clock.awaitRounds(3);
      for (int i = 0; i < 3; i++) {
        clock.advance(LOCK);
        clock.awaitRounds(3);
      }
      assertEquals(renewedBefore.get(), watched.renewals(work), "RENEWs sent past the deadline");
      assertTrue(runtime.counters().inFlight() > 0, "the result still waits for the session");
    }
  }

  /**
   * The handler returns while its record is out for RENEW, and its result waits for the session. The
   * record stayed the head of its lane then (settled, so no renewal looked at it again) instead of
   * joining the results being written, and its lock ran out. The session expires while the handler
   * runs (the clock jumps as a renewed record comes back); the poll thread is then held in the next
   * RENEW until the handler has returned, so that the lane learns of it before the record comes back.
   */
  @Test
  void aHandlerThatReturnsWhileItsRecordIsOutForRenewKeepsItsLock(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      CountingClock clock = new CountingClock();
      WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
      CountDownLatch mayEnd = new CountDownLatch(1);
      AtomicInteger readsAtReturn = new AtomicInteger(Integer.MAX_VALUE);
      WorkHandler handler = (data, ctx) -> {
        mayEnd.await(60, TimeUnit.SECONDS);
        readsAtReturn.set(clock.workThreadReads());
        return data;
      };
      Watched watched = new Watched();
      AtomicInteger renewedAtReturn = new AtomicInteger(-1);
      Runnable endTheHandler = () -> {
        mayEnd.countDown();
        try {
          // Its work thread reads the clock once as the handler returns, and once more when it
          // publishes, just after it told the poll thread that the handler returned.
          RuntimeFixture.awaitTrue("the handler returned", () -> clock.workThreadReads() >= readsAtReturn.get() + 2,
              Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        renewedAtReturn.set(watched.renewals(work));
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).handshakeAttempts(1)
          .lockDuration(LOCK).build()).handler(handler).clock(clock).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      f.send(work);
      RuntimeFixture.awaitTrue("the running item's lock renewed", () -> watched.renewals(work) >= 1,
          Duration.ofSeconds(30));
      watched.whenPolled(work, () -> {
        clock.skip(Duration.ofHours(2)); // the one-hour session expires while the handler runs
        watched.whenRenewed(work, endTheHandler);
      });
      RuntimeFixture.awaitTrue("the handler ended during a RENEW", () -> renewedAtReturn.get() >= 0,
          Duration.ofSeconds(30));
      RuntimeFixture.awaitTrue("the held result's lock renewed", () -> watched.renewals(work) >= renewedAtReturn.get() + 3,
          Duration.ofSeconds(30));
      assertEquals(0, results.drain(Duration.ZERO).size(), "the result waits for the session");

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      ResultsReader.Result written = results.await("the held result", r -> !r.isEmpty(), Duration.ofSeconds(30))
          .get(0);
      assertEquals(work.workId(), written.envelope().workId());
      assertEquals(1, written.envelope().attempt(), "not delivered again");
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }

  /**
   * Two held results of one fetch (a slot taking two records per fetch), of work with different
   * deadlines: once the first one's deadline passed, only the second was renewed, so the first stayed
   * unacknowledged in the consumer's last fetch, and the lane's next poll (which must bring the renewed
   * record back) failed with "All records must be acknowledged": the renewed record never came back,
   * its result's acknowledgement was deferred for good, and the slot took no work again. Both are now
   * renewed while any of them is still before its deadline; the held results are written once the
   * session is renewed, and the slot takes later work.
   */
  @Test
  void heldResultsOfOneFetchWithDifferentDeadlinesKeepTheLaneGoing(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      try (org.apache.kafka.clients.admin.Admin admin = f.kafka.clients().admin()) {
        new dev.gowork.broker.topic.TopicProvisioner(admin).ensureTopics(List.of(
            dev.gowork.broker.topic.TopicSpec.of(f.topics.work(RuntimeFixture.QUEUE), 1, 1)));
      }
      CountingClock clock = new CountingClock();
      WorkEnvelope soon = f.work(Works.data(), Duration.ofHours(3));
      WorkEnvelope later = f.work(Works.data(), Duration.ofHours(10));
      f.send(soon, later); // before the replica starts: its one slot takes both in one fetch
      java.util.concurrent.atomic.AtomicBoolean skipped = new java.util.concurrent.atomic.AtomicBoolean();
      WorkHandler handler = (data, ctx) -> {
        if (skipped.compareAndSet(false, true)) {
          clock.skip(Duration.ofHours(2)); // the one-hour session expires as the first handler ends
        }
        return data;
      };
      Watched watched = new Watched();
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).workPartitions(1).handshakeAttempts(1).batchSize(2)
          .lockDuration(LOCK).build()).handler(handler).clock(clock).wrapConsumers(watched::wrap).start();
      f.adopt(runtime);
      RuntimeFixture.awaitTrue("both held results renewed", () -> watched.renewals(soon) >= 1
          && watched.renewals(later) >= 1, Duration.ofSeconds(30));

      // As the renewed records come back (no RENEW out), the first work's deadline passes; the second's not.
      AtomicInteger renewedBefore = new AtomicInteger(-1);
      watched.whenPolled(later, () -> {
        renewedBefore.set(watched.renewals(later));
        clock.skip(Duration.ofHours(2));
      });
      // Three more RENEWs span longer than its lock: before the fix the first (of it alone) was the last.
      RuntimeFixture.awaitTrue("the second renewed past the first's deadline",
          () -> renewedBefore.get() >= 1 && watched.renewals(later) >= renewedBefore.get() + 3, Duration.ofSeconds(30));
      assertEquals(0, watched.failedPolls(), "polls that failed");
      assertEquals(0, results.drain(Duration.ZERO).size(), "the results wait for the session");

      f.coordinator.sessionLife(Duration.ofHours(10));
      runtime.reauthenticate();
      results.await("both held results", r -> r.size() >= 2, Duration.ofSeconds(30));
      WorkEnvelope next = f.work(Works.data(), Duration.ofHours(10));
      f.send(next);
      List<ResultsReader.Result> written = results.await("the next item's result", r -> r.size() >= 3,
          Duration.ofSeconds(30));
      assertEquals(Map.of(soon.workId(), 1, later.workId(), 1, next.workId(), 1),
          RuntimeFixture.countBy(written, r -> r.envelope().workId()));
      written.forEach(r -> assertEquals(1, r.envelope().attempt(), "not delivered again: " + r.envelope()));
      RuntimeFixture.awaitTrue("nothing held", () -> runtime.counters().inFlight() == 0, Duration.ofSeconds(10));
    }
  }

  /** Counts, by record key (the work id), the RENEWs a replica's consumers send, and watches what they poll. */
  static final class Watched {
    private final Map<String, AtomicInteger> renewed = new ConcurrentHashMap<>();
    private final Map<String, Runnable> whenPolled = new ConcurrentHashMap<>();

    private final Map<String, Runnable> whenRenewed = new ConcurrentHashMap<>();
    private final Set<String> withheld = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failedPolls = new AtomicInteger();
    private volatile Runnable failNextPoll;

    /**
     * Leaves {@code w}'s record out of the next poll that brings it, as if its partition's leader
     * answered later: it is RENEWed on the real consumer instead, and comes back from a later poll.
     */
    void withholdNext(WorkEnvelope w) {
      withheld.add(w.workId());
    }

    /**
     * Makes the next poll fail without reaching the consumer (a KafkaException, as when the broker
     * cannot be reached), running {@code then} on the poll thread first.
     */
    void failNextPoll(Runnable then) {
      failNextPoll = then;
    }

    /** Polls that threw IllegalStateException (e.g. a record of the last fetch left unacknowledged). */
    int failedPolls() {
      return failedPolls.get();
    }

    /** Runs {@code r} on the poll thread the next time it RENEWs {@code w}'s record, before the RENEW is made. */
    void whenRenewed(WorkEnvelope w, Runnable r) {
      whenRenewed.put(w.workId(), r);
    }

    /** Runs {@code r} on the poll thread the next time a poll brings {@code w}'s record, before the replica sees it. */
    void whenPolled(WorkEnvelope w, Runnable r) {
      whenPolled.put(w.workId(), r);
    }

    int renewals(WorkEnvelope w) {
      AtomicInteger n = renewed.get(w.workId());
      return n == null ? 0 : n.get();
    }

    @SuppressWarnings("unchecked")
    ShareConsumer<String, byte[]> wrap(ShareConsumer<String, byte[]> real) {
      return (ShareConsumer<String, byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(),
          new Class<?>[] {ShareConsumer.class}, (proxy, method, args) -> {
            Runnable failing = failNextPoll;
            if (method.getName().equals("poll") && failing != null) {
              failNextPoll = null;
              failing.run();
              throw new KafkaException("the test failed this poll");
            }
            if (method.getName().equals("acknowledge") && args.length == 2 && args[1] == AcknowledgeType.RENEW) {
              String key = ((ConsumerRecord<String, byte[]>) args[0]).key();
              count(renewed, key);
              Runnable then = whenRenewed.remove(key);
              if (then != null) {
                then.run();
              }
            }
            Object answer;
            try {
              answer = method.invoke(real, args);
            } catch (InvocationTargetException e) {
              if (method.getName().equals("poll") && e.getCause() instanceof IllegalStateException) {
                failedPolls.incrementAndGet();
              }
              throw e.getCause();
            }
            if (method.getName().equals("poll")) {
              answer = withhold(real, (ConsumerRecords<String, byte[]>) answer);
              for (ConsumerRecord<String, byte[]> r : (ConsumerRecords<String, byte[]>) answer) {
                Runnable then = whenPolled.remove(r.key());
                if (then != null) {
                  then.run();
                }
              }
            }
            return answer;
          });
    }

    private ConsumerRecords<String, byte[]> withhold(ShareConsumer<String, byte[]> real,
        ConsumerRecords<String, byte[]> polled) {
      Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> kept = new HashMap<>();
      boolean any = false;
      for (ConsumerRecord<String, byte[]> r : polled) {
        if (withheld.remove(r.key())) {
          real.acknowledge(r, AcknowledgeType.RENEW);
          any = true;
        } else {
          kept.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
        }
      }
      return any ? new ConsumerRecords<>(kept, Map.of()) : polled;
    }

    private static void count(Map<String, AtomicInteger> m, String key) {
      m.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  /** A {@link SkippingClock} that also counts the reads of the replica's poll thread (its rounds) and work threads. */
  static final class CountingClock extends Clock {
    private final SkippingClock clock = new SkippingClock();
    private final AtomicInteger pollThreadReads = new AtomicInteger();
    private final AtomicInteger workThreadReads = new AtomicInteger();

    /** How often the replica's work threads have read this clock. */
    int workThreadReads() {
      return workThreadReads.get();
    }

    void skip(Duration d) {
      clock.skip(d);
    }

    void advance(Duration d) {
      clock.advance(d);
    }

    long nanoTime() {
      return clock.nanoTime();
    }

    /**
     * Waits until the poll thread has read the clock often enough to have begun and ended {@code n}
     * rounds since the call (each round reads it at its start, and at most twice more).
     */
    void awaitRounds(int n) throws InterruptedException {
      int from = pollThreadReads.get();
      RuntimeFixture.awaitTrue(n + " rounds of the poll thread", () -> pollThreadReads.get() >= from + 3 * (n + 1),
          Duration.ofSeconds(20));
    }

    @Override
    public Instant instant() {
      if (Thread.currentThread().getName().startsWith("gowork-consume")) {
        pollThreadReads.incrementAndGet();
      } else if (Thread.currentThread().getName().startsWith("gowork-work-")) {
        workThreadReads.incrementAndGet();
      }
      return clock.instant();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
