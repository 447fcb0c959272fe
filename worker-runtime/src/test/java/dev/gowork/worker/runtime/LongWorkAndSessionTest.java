package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestCertificate;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.FakeClock;
import dev.gowork.worker.testing.Works;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Work that outlives the record lock, and sessions that expire. */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class LongWorkAndSessionTest {

  @Test
  void longWorkKeepsItsLockWhileOtherSlotsKeepWorking(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      // The long item runs 5 s (past two locks), then waits (up to 60 s) until every quick item has run
      // once: quick work finishing first then does not depend on how loaded the machine is, and a
      // worker whose other slots stood still while the long item ran fails the test.
      CountDownLatch quickRan = new CountDownLatch(20);
      AtomicInteger slowSawQuickDone = new AtomicInteger();
      WorkHandler handler = (data, ctx) -> {
        boolean first = runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet() == 1;
        Thread.sleep(data.path("ms").asLong());
        if (data.path("ms").asLong() >= 5_000) {
          slowSawQuickDone.set(quickRan.await(60, TimeUnit.SECONDS) ? 1 : -1);
        } else if (first) {
          quickRan.countDown();
        }
        return data;
      };
      // A 2 s lock renewed every second; a second replica would take the long item if its lock lapsed.
      WorkerRuntime one = f.start(f.settings(2).workPartitions(1).lockDuration(Duration.ofSeconds(2)), handler);
      WorkerRuntime two = f.start(f.settings(1).workPartitions(1).lockDuration(Duration.ofSeconds(2)), handler);
      WorkEnvelope slow = f.work(Works.data().put("ms", 5_000), Duration.ofSeconds(60));
      f.send(slow);
      RuntimeFixture.awaitTrue("the long item runs", () -> runs.containsKey(slow.workId()), Duration.ofSeconds(30));
      List<WorkEnvelope> quick = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        quick.add(f.work(Works.data().put("ms", 10), Duration.ofSeconds(60)));
      }
      f.send(quick.toArray(WorkEnvelope[]::new));

      // Every item's result: counted by id, as a quick item may come twice (see below) before the long one.
      List<ResultsReader.Result> all = results.await("21 items' results",
          r -> r.stream().map(x -> x.envelope().workId()).distinct().count() >= 21, Duration.ofSeconds(60));
      assertEquals(1, slowSawQuickDone.get(), "every quick item ran while the long one held its slot");
      // The point here is the long item: its lock was kept alive, so it ran once, as attempt 1. A quick
      // item is occasionally delivered twice on this 2 s lock (seen ~1 run in 3 on a loaded machine,
      // before and after batching): execution is at-least-once, so that is allowed, but counted.
      List<ResultsReader.Result> seen = new ArrayList<>(all);
      seen.addAll(results.drain(Duration.ofMillis(500)));
      seen.forEach(r -> assertEquals(ResultStatus.COMPLETED, r.envelope().status()));
      assertTrue(seen.stream().filter(r -> r.envelope().workId().equals(slow.workId()))
          .allMatch(r -> r.envelope().attempt() == 1), "the long item was not delivered again");
      assertEquals(1, runs.get(slow.workId()).get(), "runs of the long item");
      assertEquals(21, seen.stream().map(r -> r.envelope().workId()).distinct().count());
      assertTrue(quick.stream().allMatch(w -> runs.containsKey(w.workId())), "every quick item ran");
      long again = runs.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
      if (again > 0) {
        org.slf4j.LoggerFactory.getLogger(LongWorkAndSessionTest.class).warn("{} quick items ran twice", again);
      }
      // The long item ran past the default 1 s notice: one signed running notice, sent while it ran;
      // the 10 ms items sent none.
      List<ResultsReader.Result> notices = results.notices();
      assertEquals(List.of(slow.workId()), notices.stream().map(n -> n.envelope().workId()).toList());
      ResultsReader.Result notice = notices.get(0);
      f.assertSigned(notice);
      assertEquals(1, notice.envelope().attempt());
      assertTrue(notice.envelope().durationMs() >= 1000 && notice.envelope().durationMs() < 5000, notice.toString());
      int written = 21 + runs.values().stream().mapToInt(n -> n.get() - 1).sum();
      RuntimeFixture.awaitTrue("the counters to catch up",
          () -> one.counters().processed() + two.counters().processed() == written, Duration.ofSeconds(30));
    }
  }

  @Test
  void sessionIsRenewedBeforeItExpiresAndOnDemand(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      f.coordinator.sessionLife(Duration.ofSeconds(3));
      WorkerRuntime runtime = f.start(f.settings(1), (data, ctx) -> data);
      String first = runtime.workerId();
      RuntimeFixture.awaitTrue("a renewal at 80% of the session", () -> f.coordinator.registrations() >= 2,
          Duration.ofSeconds(10));
      RuntimeFixture.awaitTrue("the new session in use", () -> !runtime.workerId().equals(first), Duration.ofSeconds(5));

      WorkEnvelope w = f.work(Works.data(), Duration.ofSeconds(30));
      f.send(w);
      ResultsReader.Result r = results.await("a result", x -> !x.isEmpty(), Duration.ofSeconds(30)).get(0);
      assertNotEquals(first, r.workerId());
      f.assertSigned(r);

      f.coordinator.sessionLife(Duration.ofHours(1));
      int before = f.coordinator.registrations();
      runtime.reauthenticate();
      assertEquals(before + 1, f.coordinator.registrations());
    }
  }

  @Test
  void aResultFinishedAfterTheSessionExpiredWaitsForTheRenewedSession(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      FakeClock clock = new FakeClock(Instant.now());
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      WorkerRuntime runtime = f.start(f.settings(1).handshakeAttempts(1), (data, ctx) -> {
        started.countDown();
        finish.await();
        return data;
      }, clock);
      String first = runtime.workerId();
      WorkEnvelope w = f.work(Works.data(), Duration.ofHours(4));
      f.send(w);
      assertTrue(started.await(30, TimeUnit.SECONDS), "the work started");

      clock.advance(Duration.ofHours(2)); // the one-hour session has expired, and no renewal got through
      finish.countDown();
      assertEquals(List.of(), results.drain(Duration.ofSeconds(1)), "nothing signed with the expired session");

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      ResultsReader.Result r = results.await("the result", x -> !x.isEmpty(), Duration.ofSeconds(30)).get(0);
      assertEquals(w.workId(), r.envelope().workId());
      assertEquals(ResultStatus.COMPLETED, r.envelope().status());
      assertNotEquals(first, r.workerId(), "signed with the renewed session");
      f.assertSigned(r);
      assertEquals(1, results.drain(Duration.ofMillis(500)).size(), "written once");
    }
  }

  /**
   * Work that arrives while the session is expired waits for the renewed one and then runs once: a lane
   * left open but unpolled meanwhile would acquire it, keep it past its lock, and run a stale copy.
   */
  @Test
  void workArrivingWhileTheSessionIsExpiredRunsOnceAfterTheRenewal(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      FakeClock clock = new FakeClock(Instant.now());
      List<String> starts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      // A 2 s lock (RuntimeFixture's is 5 s), so waiting past it while expired takes 3 s instead of 8.
      WorkerRuntime runtime = f.start(f.settings(2).handshakeAttempts(1).lockDuration(Duration.ofSeconds(2)),
          (data, ctx) -> {
            starts.add(ctx.workId());
            return data;
          }, clock);
      WorkEnvelope first = f.work(Works.data(), Duration.ofHours(4));
      f.send(first);
      results.await("the first result", x -> !x.isEmpty(), Duration.ofSeconds(30));

      clock.advance(Duration.ofHours(2)); // the one-hour session has expired, and no renewal got through
      Thread.sleep(500); // the replica closes its idle lanes
      WorkEnvelope waiting = f.work(Works.data(), Duration.ofHours(4));
      f.send(waiting);
      Thread.sleep(3_000); // longer than the 2 s lock set above
      assertEquals(List.of(first.workId()), starts, "nothing taken without a usable session");

      f.coordinator.sessionLife(Duration.ofHours(5));
      runtime.reauthenticate();
      results.await("the waiting work's result", x -> !x.isEmpty(), Duration.ofSeconds(30));
      Thread.sleep(2_000); // a stale copy buffered by another lane would run at the renewal; this is a whole lock
      assertEquals(List.of(first.workId(), waiting.workId()), starts, runtime.counters().toString());
    }
  }

  @Test
  void aReplicaRegistersOverHttpsTrustingTheCaFileItIsGiven(TestKafka kafka, @TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123");
    try (RuntimeFixture f = new RuntimeFixture(kafka, cert.server()); ResultsReader results = f.results()) {
      Map<String, String> env = Map.of("GOWORK_SECRET", RuntimeFixture.SECRET, "GOWORK_COORDINATOR_URL",
          f.coordinator.url().toString(), "GOWORK_COORDINATOR_CA_FILE", cert.certificate().toString());
      WorkerSettings read = SettingsReader.read(env);
      assertEquals(Optional.of(cert.certificate()), read.coordinatorCaFile());
      WorkerRuntime runtime = f.start(f.settings(1).coordinatorCaFile(read.coordinatorCaFile().get()),
          (data, ctx) -> data);
      WorkEnvelope w = f.work(Works.data(), Duration.ofSeconds(30));
      f.send(w);
      ResultsReader.Result r = results.await("a result", x -> !x.isEmpty(), Duration.ofSeconds(30)).get(0);
      assertEquals(runtime.workerId(), r.workerId());
      f.assertSigned(r);
    }
  }

  @Test
  void startWaitsForAStartingCoordinatorAndRefusesAWrongSecret(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      f.coordinator.unavailableFor(2);
      WorkerRuntime runtime = f.start(f.settings(1), (data, ctx) -> data);
      assertEquals(0, f.coordinator.pendingUnavailable(), "both 503 answers were given");
      assertEquals(1, f.coordinator.registrations());
      assertTrue(runtime.workerId().startsWith("w-"));

      WorkerSettings wrong = WorkerSettings.builder(SharedSecret.of("not-the-secret-not-the-secret-123456"))
          .coordinatorUrl(f.coordinator.url()).handshakeAttempts(3).build();
      GoWorkException e = assertThrows(GoWorkException.class,
          () -> WorkerRuntime.builder(wrong).handler((data, ctx) -> data).start());
      assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
      assertTrue(e.getMessage().contains("GOWORK_SECRET"), e.getMessage());
    }
  }
}
