package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A queue's latency through the coordinator on a real broker, on the fixture's fake clock: {@code GET /v1/queues}
 * and {@code gowork_queue_latency_seconds} show how long work nobody takes has waited, and 0 once a worker has it.
 */
@ExtendWith(KafkaExtension.class)
class QueueLatencyApiTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void workNoWorkerTakesShowsHowLongItWaitedUntilAWorkerHasIt(TestKafka k) {
    start(k);
    try (ServiceOnServer http = new ServiceOnServer(k, server)) {
      server.add(server.createWork("x", 600).withQueue("unserved"));
      assertEquals(0, latencyMs(http, "unserved"), "queued this instant");

      clock.advance(Duration.ofSeconds(90));
      assertEquals(90_000, latencyMs(http, "unserved"));
      assertTrue(http.metrics.scrape().contains("gowork_queue_latency_seconds{queue=\"unserved\"} 90.0\n"),
          http.metrics.scrape());

      Session s = handshake();
      Poll.until(() -> http.next(s, "unserved") instanceof HttpResponse<?> r && r.statusCode() == 200, WAIT,
          "a worker to take the work over HTTP");
      assertEquals(0, latencyMs(http, "unserved"), "running work does not wait");
      assertEquals(1, queue(http, "unserved").get("running").asLong());
      assertTrue(http.metrics.scrape().contains("gowork_queue_latency_seconds{queue=\"unserved\"} 0.0\n"),
          http.metrics.scrape());
    }
  }

  private static long latencyMs(ServiceOnServer http, String queue) {
    return queue(http, queue).path("latencyMs").asLong(-1);
  }

  private static JsonNode queue(ServiceOnServer http, String queue) {
    Object answer = http.get("/v1/queues");
    assertTrue(answer instanceof HttpResponse<?> r && r.statusCode() == 200, "GET /v1/queues: " + answer);
    try {
      return new ObjectMapper().readTree(((HttpResponse<?>) answer).body().toString()).path("queues").path(queue);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
