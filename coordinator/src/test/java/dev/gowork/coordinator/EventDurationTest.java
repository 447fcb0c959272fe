package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.testing.EventsTopic;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An event's durationMs is the time from the add, on the clock of the coordinator that fires it. A
 * clock that stepped back since the add (NTP), or an owner whose clock is behind the adding
 * coordinator's, must not write a negative duration: the events topic's readers (the handler feed of
 * another or a restarted coordinator, gowork events, the analytics contract) refuse the record.
 */
@ExtendWith(KafkaExtension.class)
class EventDurationTest extends ServerFixture {

  @Test
  void aClockBehindTheAddStillWritesAnEventEveryReaderCanDecode(TestKafka k) {
    start(k);
    Work w = server.createWork("x", 60);
    server.add(w);
    clock.advance(Duration.ofSeconds(-2)); // the clock stepped back, or this owner's clock is behind the adder's
    server.cancel(w.id(), "no longer needed");
    Event fired = log.await(EventType.WORK_CANCELLED, w.id());
    assertTrue(fired.durationMs() >= 0, "durationMs of the fired event: " + fired.durationMs());
    // Every record of the events topic decodes (readAll throws on one that does not).
    Event read = EventsTopic.readAll(kafka.clients(), topics.events()).stream()
        .filter(e -> e.type() == EventType.WORK_CANCELLED && w.id().equals(e.workId())).findFirst().orElseThrow();
    assertEquals(0L, read.durationMs());
  }
}
