package dev.gowork.coordinator.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.EnvelopeReader;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.work.WorkTable;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/**
 * The retry task while Kafka is away: real Kafka clients pointed at an address where no broker
 * answers (nothing listens there), so every read and send waits for its timeout.
 */
class RepublishRetriesTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final WireCodec codec = WireCodec.defaults();
  private final EventDispatcher events = new EventDispatcher(clock, new EventLog());
  private final WorkTable table = new WorkTable(events, codec);
  private final RetryPlan plan = new RetryPlan();

  private static String nowhere() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens there
    }
  }

  /**
   * A thousand due retries while Kafka is away took a thousand send timeouts in one round before any
   * retry after them could go; now a round stops at the first failure, and the others wait, untried,
   * for the next round.
   */
  @Test
  void aRoundStopsAtTheFirstFailedPublicationAndLeavesTheRestDueAndUntried() throws Exception {
    KafkaClients away = new KafkaClients(nowhere(), Map.of("max.block.ms", "300", "request.timeout.ms", "300",
        "delivery.timeout.ms", "600"));
    long now = clock.millis();
    for (String id : List.of("a", "b", "c")) {
      Instant t = clock.instant();
      table.queued(new WorkEnvelope(id, "default", 2, 2, 60, TextNode.valueOf(id), t, t.plusSeconds(60)), now);
      table.located(id, 0, 0);
      plan.scheduleRepublish(id, 2, now);
    }
    try (EnvelopeReader reader = new EnvelopeReader(away, codec);
        Producer<String, byte[]> producer = away.producer()) {
      Republisher republisher = new Republisher(reader, new WorkPublisher(producer, codec, Topics.of("nowhere")),
          Topics.of("nowhere"), Duration.ofMillis(300));
      new RepublishRetries(plan, table, republisher, clock).run();
    } finally {
      events.close();
    }
    List<RetryPlan.Due> stillDue = plan.due(now);
    assertEquals(2, stillDue.size(), "the retries after the failed one are due still: " + stillDue);
    stillDue.forEach(d -> assertEquals(0, d.tries(), "not tried: " + d));
    List<RetryPlan.Due> putOff = plan.due(now + 1_000);
    assertEquals(1, putOff.size(), putOff.toString());
    assertEquals(1, putOff.get(0).tries(), "the failed one is put off as before: " + putOff);
  }
}
