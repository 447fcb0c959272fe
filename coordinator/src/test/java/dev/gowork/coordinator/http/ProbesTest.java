package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.http.RunningService.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Liveness, readiness (against the real broker and against none), metrics, and the operator's reads. */
@ExtendWith(KafkaExtension.class)
class ProbesTest {

  @Test
  void probesMetricsAndTheOperatorsViews(TestKafka kafka) {
    try (RunningService api = RunningService.start(RunningService.env(kafka))) {
      assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"),
          "answers are sent at once, not held back about 40 ms by Nagle's algorithm (HttpService)");
      assertEquals("{\"status\":\"up\"}", api.send("GET", "/healthz", null).body());
      Response ready = api.send("GET", "/readyz", null);
      assertEquals(200, ready.status(), ready.toString());

      Response batch = api.producer("POST", "/v1/work/batch", "{\"items\":[{\"data\":1,\"timeoutSeconds\":60},"
          + "{\"data\":2,\"timeoutSeconds\":60,\"queue\":\"other\"},{\"data\":3,\"timeoutSeconds\":60}]}");
      assertEquals(202, batch.status(), batch.toString());
      assertEquals(3, batch.json().get("workIds").size());
      JsonNode queues = api.producer("GET", "/v1/queues", null).json().get("queues");
      assertEquals(2, queues.get("default").get("queued").asInt());
      assertEquals(0, queues.get("default").get("running").asInt());
      assertEquals(1, queues.get("other").get("size").asInt());

      assertEquals(201, api.send("POST", "/v1/workers", null).status());
      JsonNode workers = api.producer("GET", "/v1/workers", null).json().get("workers");
      assertEquals(1, workers.size());
      assertEquals("pending", workers.get(0).get("state").asText());
      assertEquals(0, api.producer("GET", "/v1/dead", null).json().get("items").size());

      // The service runs in this JVM: a collection here clears whatever a gauge holds only weakly
      // (gowork_kafka_ready read NaN after one, in CI).
      System.gc();
      System.gc();
      Response metrics = api.send("GET", "/metrics", null);
      assertEquals(200, metrics.status());
      assertTrue(metrics.header("Content-Type").startsWith("text/plain"));
      String text = metrics.body();
      for (String line : List.of("gowork_work_added_total 3.0", "gowork_queue_size{queue=\"default\"} 2.0",
          "gowork_queue_size{queue=\"other\"} 1.0", "gowork_workers{state=\"pending\"} 1.0",
          "gowork_handler_errors_total 0.0", "gowork_results_rejected_total 0.0", "gowork_dead_letters 0.0",
          "gowork_dead_forgotten_total 0.0", "gowork_kafka_ready 1.0", "gowork_records_rejected_total 0.0",
          "gowork_worker_verify_errors_total 0.0", "gowork_transactions_hanging_aborted_total 0.0",
          "gowork_http_requests_total{method=\"POST\",route=\"/v1/work/batch\",status=\"202\"} 1.0")) {
        assertTrue(text.contains(line), line + " in\n" + text);
      }
      for (String name : List.of("gowork_work_completed_total", "gowork_work_failed_total",
          "gowork_work_timed_out_total", "gowork_work_retried_total", "gowork_work_dead_total",
          "gowork_work_latency_seconds{outcome=\"completed\",quantile=\"0.99\"}", "jvm_memory_used_bytes",
          "process_uptime_seconds")) {
        assertTrue(text.contains(name), name);
      }
    }
  }

  @Test
  void theManagementPortAnswersProbesWhileHalfSentRequestsHoldEveryApiThread(TestKafka kafka) throws Exception {
    Map<String, String> env = RunningService.env(kafka);
    env.put("GOWORK_MANAGEMENT_PORT", "0");
    try (RunningService api = RunningService.start(env)) {
      int management = api.service.managementPort().orElseThrow();
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
        try {
          // Shorter than this JVM's request limit (2 s, see the pom): the half-sent requests still hold
          // the API's threads while the probe is asked.
          return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + management
              + path)).timeout(Duration.ofMillis(1500)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
          throw new AssertionError("GET " + path + " on the management port", e);
        }
      };
      List<java.net.Socket> stuck = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 12; i++) {   // more than the API's 4 threads
          java.net.Socket s = new java.net.Socket("127.0.0.1", api.service.port());
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          stuck.add(s);
        }
        assertEquals("{\"status\":\"up\"}", get.apply("/healthz").body());
        assertEquals(200, get.apply("/readyz").statusCode());
        assertTrue(get.apply("/metrics").body().contains("gowork_kafka_ready"));
      } finally {
        for (java.net.Socket s : stuck) {
          s.close();
        }
      }
      assertEquals(404, get.apply("/v1/queues").statusCode(), "the management port serves nothing else");
    }
  }

  @Test
  void aManagementPortEqualToTheApiPortIsRefused() {
    Map<String, String> env = new java.util.HashMap<>(Map.of("GOWORK_SECRET", RunningService.SECRET,
        "GOWORK_API_TOKEN", RunningService.TOKEN, "GOWORK_HTTP_PORT", "8080", "GOWORK_MANAGEMENT_PORT", "8080"));
    dev.gowork.broker.GoWorkException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.gowork.broker.GoWorkException.class, () -> dev.gowork.coordinator.config.CoordinatorSettings.parse(env));
    assertTrue(e.getMessage().contains("GOWORK_MANAGEMENT_PORT") && e.getMessage().contains("must differ"), e.getMessage());
  }

  @Test
  void readinessFailsWhenKafkaDoesNotAnswerOrTopicsAreMissing(TestKafka kafka) {
    try (KafkaReadiness noKafka = new KafkaReadiness(Admin.create(Map.of("bootstrap.servers", "127.0.0.1:1")),
        List.of("x"), Duration.ofMillis(300), Duration.ofSeconds(1), System::nanoTime)) {
      assertEquals(Optional.of("Kafka does not answer within 300 ms"), noKafka.problem());
    }
    AtomicLong now = new AtomicLong();
    String missing = kafka.topicPrefix() + ".results";
    try (KafkaReadiness readiness = new KafkaReadiness(kafka.clients().admin(), List.of(missing),
        Duration.ofSeconds(2), Duration.ofSeconds(2), now::get)) {
      assertEquals(Optional.of("topics missing: [" + missing + "]"), readiness.problem());
      try (RunningService api = RunningService.start(RunningService.env(kafka))) {
        assertEquals(Optional.of("topics missing: [" + missing + "]"), readiness.problem(), "cached");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(Optional.empty(), readiness.problem(), "rechecked once the cache expired");
        assertEquals(200, api.send("GET", "/readyz", null).status());
      }
    }
  }
}
