package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.http.WorkerHttp;
import dev.gowork.worker.runtime.HeldResultKeepsItsLockTest.Watched;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica's /healthz, /readyz and /metrics over a real broker: starting, running (with the counts
 * of what it did), and stopped.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ProbesAndMetricsTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void aReplicaReportsItsHealthAndCountsItsResultsAndHandlerTime(TestKafka kafka) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<WorkerRuntime> runtime = new AtomicReference<>();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results();
        WorkerHttp http = WorkerHttp.start("127.0.0.1", 0, registry,
            () -> runtime.get() == null ? Health.starting() : runtime.get().health())) {
      String base = "http://127.0.0.1:" + http.port();
      assertAnswer(base + "/healthz", 200, "starting");
      assertAnswer(base + "/readyz", 503, "starting");

      WorkHandler handler = (data, ctx) -> {
        if (data.path("fail").asBoolean()) {
          throw new IllegalStateException("asked to fail");
        }
        return data;
      };
      runtime.set(f.start(f.settings(2), handler, registry));
      assertAnswer(base + "/healthz", 200, "\"ok\"");
      assertAnswer(base + "/readyz", 200, "\"ok\"");

      WorkEnvelope[] works = new WorkEnvelope[5];
      for (int i = 0; i < 4; i++) {
        works[i] = f.work(Works.data().put("i", i), Duration.ofMinutes(1));
      }
      works[4] = f.work(Works.data().put("fail", true), Duration.ofMinutes(1));
      f.send(works);
      results.await("5 results", all -> all.size() >= 5, Duration.ofSeconds(60));
      // A result is in Kafka before the poll thread counts it (and acknowledges its record): wait for
      // every count the assertions below read, not only the completed one.
      String completed = "gowork_worker_results_total{queue=\"default\",status=\"completed\"} 4.0";
      String failed = "gowork_worker_results_total{queue=\"default\",status=\"failed\"} 1.0";
      String idle = "gowork_worker_in_flight{queue=\"default\"} 0.0";
      RuntimeFixture.awaitTrue("the counters include the 5 results", () -> {
        String body = get(base + "/metrics").body();
        return body.contains(completed) && body.contains(failed) && body.contains(idle);
      }, Duration.ofSeconds(10));

      HttpResponse<String> metrics = get(base + "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), metrics.headers().toString());
      String text = metrics.body();
      for (String line : new String[] {
          "gowork_worker_results_total{queue=\"default\",status=\"failed\"} 1.0",
          "gowork_worker_results_total{queue=\"default\",status=\"timed_out\"} 0.0",
          "gowork_worker_handler_duration_seconds_count{queue=\"default\"} 5",
          "gowork_worker_slots{queue=\"default\"} 2.0",
          "gowork_worker_in_flight{queue=\"default\"} 0.0",
          "gowork_worker_records_rejected_total{queue=\"default\"} 0.0"}) {
        assertTrue(text.contains(line), "/metrics lacks " + line + ":\n" + text);
      }
      assertTrue(text.contains("gowork_worker_handler_duration_seconds_bucket{queue=\"default\",le=\"3600.0\"} 5"),
          "the handler time is a histogram with buckets up to an hour:\n" + text);

      runtime.get().close();
      assertAnswer(base + "/healthz", 503, "stopped");
      assertAnswer(base + "/readyz", 503, "stopped");

      // A replica started later with the same registry counts its own work, not the first one's.
      runtime.set(f.start(f.settings(1), handler, registry));
      f.send(f.work(Works.data().put("again", true), Duration.ofMinutes(1)));
      String one = "gowork_worker_results_total{queue=\"default\",status=\"completed\"} 1.0";
      RuntimeFixture.awaitTrue("the second replica's counter", () -> get(base + "/metrics").body().contains(one),
          Duration.ofSeconds(60));
      assertTrue(get(base + "/metrics").body().contains("gowork_worker_slots{queue=\"default\"} 1.0"));
    }
  }

  @Test
  void aDrainingReplicaIsLiveButNotReady(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      WorkerRuntime r = f.start(f.settings(1), (data, ctx) -> {
        running.countDown();
        release.await();
        return data;
      });
      f.send(f.work(Works.data(), Duration.ofMinutes(1)));
      assertTrue(running.await(60, TimeUnit.SECONDS), "the handler started");
      CompletableFuture<Void> closing = CompletableFuture.runAsync(r::close);
      RuntimeFixture.awaitTrue("draining", () -> !r.health().ready(), Duration.ofSeconds(10));
      assertEquals(new Health(true, false, "draining for shutdown"), r.health());
      release.countDown();
      closing.get(30, TimeUnit.SECONDS);
      assertEquals(new Health(false, false, "stopped"), r.health());
      assertEquals(1, results.await("the drained item's result", all -> all.size() >= 1, Duration.ofSeconds(10)).size());
    }
  }

  /**
   * The stall check measures how long ago the loop began a round on the replica's monotonic source,
   * and the loop marks each round. Seen from inside the loop's poll, where it cannot begin a round:
   * once more than the limit has passed it looks stuck; at its next round it no longer does.
   */
  @Test
  void theConsumeLoopMarksEachTurnSoAReplicaIsNotTakenForStuck(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      SkippingClock clock = new SkippingClock();
      Watched watched = new Watched();
      WorkerRuntime r = WorkerRuntime.builder(f.settings(1).workPartitions(1).build()).handler((data, ctx) -> data)
          .clock(clock).nanoTime(clock::nanoTime).wrapConsumers(watched::wrap).start();
      f.adopt(r);
      assertEquals(new Health(true, true, "ok"), r.health());
      Health inPoll = healthInPoll(f, watched, r, () -> clock.advance(Health.STALL_LIMIT.plusMinutes(1)));
      assertFalse(inPoll.live(), inPoll.toString());
      assertTrue(inPoll.reason().startsWith("the consume loop has not turned for"), inPoll.reason());
      RuntimeFixture.awaitTrue("the loop's next turn", () -> r.health().live(), Duration.ofSeconds(10));
      assertEquals(new Health(true, true, "ok"), r.health());
    }
  }

  /**
   * The stall check compared the loop's last round and now on the wall clock, read by two threads: a
   * step forward of the wall clock (NTP, a resumed VM) past the limit made a running replica fail its
   * liveness probe until the loop's next round, so a probe at that moment could have it restarted.
   */
  @Test
  void aWallClockStepForwardPastTheStallLimitDoesNotMakeARunningReplicaLookStuck(TestKafka kafka)
      throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      SkippingClock clock = new SkippingClock();
      Watched watched = new Watched();
      WorkerRuntime r = WorkerRuntime.builder(f.settings(1).workPartitions(1).build()).handler((data, ctx) -> data)
          .clock(clock).nanoTime(clock::nanoTime).wrapConsumers(watched::wrap).start();
      f.adopt(r);
      Health inPoll = healthInPoll(f, watched, r, () -> clock.skip(Health.STALL_LIMIT.plusMinutes(1)));
      assertEquals(new Health(true, true, "ok"), inPoll);
    }
  }

  /**
   * Sends work and, when the replica's poll brings it (on its poll thread, so before the loop's next
   * round), runs {@code step}, then asks the replica's health.
   */
  private static Health healthInPoll(RuntimeFixture f, Watched watched, WorkerRuntime r, Runnable step)
      throws Exception {
    AtomicReference<Health> seen = new AtomicReference<>();
    WorkEnvelope work = f.work(Works.data(), Duration.ofHours(4));
    watched.whenPolled(work, () -> {
      step.run();
      seen.set(r.health());
    });
    f.send(work);
    RuntimeFixture.awaitTrue("the work polled", () -> seen.get() != null, Duration.ofSeconds(30));
    return seen.get();
  }

  private void assertAnswer(String url, int status, String bodyPart) throws Exception {
    HttpResponse<String> r = get(url);
    assertEquals(status, r.statusCode(), url + ": " + r.body());
    assertTrue(r.body().contains(bodyPart), url + " answered " + r.body());
  }

  private HttpResponse<String> get(String url) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + url + " failed", e);
    }
  }
}
