package dev.gowork.coordinator.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.EnvelopeReader;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A retry that could not go (its record not located yet, Kafka away) is put off by a second. That
 * put-off is a duration, timed on the monotonic source: it was on the wall clock, so a step back (NTP, a
 * resumed VM) held the retry back by the size of the step (queued work left unpublished), and a step
 * forward sent it at once. A planned retry's time (a backoff from the work's record) stays on the wall
 * clock. Real broker; the monotonic source moves only when the test says.
 */
@ExtendWith(KafkaExtension.class)
class RepublishPutOffOutlastsAWallClockStepTest {
  private static final Duration PUT_OFF = Duration.ofSeconds(1);
  private final MutableClock clock = MutableClock.atNow();
  private final WireCodec codec = WireCodec.defaults();
  private final EventDispatcher events = new EventDispatcher(clock, new EventLog());
  private final WorkTable table = new WorkTable(events, codec);
  private final RetryPlan plan = new RetryPlan();
  private Admin admin;
  private Producer<String, byte[]> producer;
  private EnvelopeReader reader;
  private WorkPublisher publisher;
  private RepublishRetries retries;

  @AfterEach
  void close() {
    reader.close();
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
    events.close();
  }

  @Test
  void aStepBackDoesNotHoldAPutOffRetryBack(TestKafka k) {
    putOff(k);
    clock.step(Duration.ofHours(-1));
    clock.advance(PUT_OFF);
    retries.run();
    assertEquals(2, attempts(), "retried a second later on the monotonic source");
    assertFalse(table.awaitsRepublish("a", 2), "and published");
  }

  @Test
  void aStepForwardDoesNotSendAPutOffRetryEarly(TestKafka k) {
    putOff(k);
    clock.step(Duration.ofMinutes(1));
    retries.run();
    assertEquals(1, attempts(), "no time passed on the monotonic source: still put off");
    assertEquals(1, plan.size());
    clock.advance(PUT_OFF);
    retries.run();
    assertEquals(2, attempts());
    assertFalse(table.awaitsRepublish("a", 2));
  }

  /**
   * Work {@code a} whose first attempt failed, retried at once: the retry finds its record not located
   * yet (its publication not acknowledged) and is put off; the record is located just after.
   */
  private void putOff(TestKafka k) {
    Topics topics = Topics.of(k.topicPrefix());
    admin = k.clients().admin();
    new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 10, Set.of(), Clock.systemUTC())
        .ensure("default");
    producer = k.clients().producer();
    reader = new EnvelopeReader(k.clients(), codec);
    publisher = new WorkPublisher(producer, codec, topics);
    retries = new RepublishRetries(plan, table, new Republisher(reader, publisher, topics, Duration.ofSeconds(10)),
        clock, clock::nanoTime);
    Instant t = clock.instant();
    WorkEnvelope w = new WorkEnvelope("a", "default", 1, 2, 7200, TextNode.valueOf("a"), t, t.plusSeconds(7200));
    table.queued(w, clock.millis());
    RecordMetadata m = publisher.sendAndWait(w, Duration.ofSeconds(10));
    table.applyResult(new ResultEnvelope("a", 1, ResultStatus.FAILED, null, "boom", null, 1), null, clock.millis());
    plan.schedule("a", 2, clock.millis());
    retries.run();
    assertEquals(1, plan.size(), "put off: not located yet");
    table.located("a", m.partition(), m.offset());
  }

  private int attempts() {
    return table.status("a").orElseThrow().attempts();
  }
}
