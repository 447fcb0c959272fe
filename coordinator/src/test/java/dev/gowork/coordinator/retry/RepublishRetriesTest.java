package dev.gowork.coordinator.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.queue.EnvelopeReader;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The retry task against the test broker, and while Kafka is away: real Kafka clients pointed at an
 * address where no broker answers (nothing listens there), so every read and send waits for its timeout.
 */
@ExtendWith(KafkaExtension.class)
class RepublishRetriesTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final WireCodec codec = WireCodec.defaults();
  /** The events' clock: once armed, its next reading throws, as a bug in a retry's bookkeeping would. */
  private final ThrowsOnce eventClock = new ThrowsOnce(clock);
  private final EventDispatcher events = new EventDispatcher(eventClock, new EventLog());
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
      table.queued(new WorkEnvelope(id, "default", 1, 2, 60, TextNode.valueOf(id), t, t.plusSeconds(60)), now);
      table.located(id, 0, 0);
      table.applyResult(new ResultEnvelope(id, 1, ResultStatus.FAILED, null, "boom", null, 1), null, now);
      table.retried(id, 2, now); // queued again, its publication still to do (as after a restart)
      plan.scheduleRepublish(id, 2, now);
    }
    try (EnvelopeReader reader = new EnvelopeReader(away, codec);
        Producer<String, byte[]> producer = away.producer()) {
      Republisher republisher = new Republisher(reader, new WorkPublisher(producer, codec, Topics.of("nowhere")),
          Topics.of("nowhere"), Duration.ofMillis(300));
      new RepublishRetries(plan, table, republisher, clock, clock::nanoTime).run();
    } finally {
      events.close();
    }
    long nowNanos = clock.nanoTime();
    List<RetryPlan.Due> stillDue = plan.due(now, nowNanos);
    assertEquals(2, stillDue.size(), "the retries after the failed one are due still: " + stillDue);
    stillDue.forEach(d -> assertEquals(0, d.tries(), "not tried: " + d));
    List<RetryPlan.Due> putOff = plan.due(now, nowNanos + Duration.ofSeconds(1).toNanos());
    assertEquals(1, putOff.size(), putOff.toString());
    assertEquals(1, putOff.get(0).tries(), "the failed one is put off as before: " + putOff);
  }

  /**
   * A retry whose bookkeeping threw (a bug, not Kafka) was logged and dropped from the plan: the item,
   * moved to queued already, then waited unpublished for its deadline. Now it is put off as a failed
   * publication is, and published by a later round.
   */
  @Test
  void aRetryWhoseBookkeepingThrowsIsPutOffAndPublishedLaterNotDropped(TestKafka k) throws Exception {
    try (Broker b = new Broker(k)) {
      b.failedOnce("a");
      plan.schedule("a", 2, clock.millis());
      eventClock.armed.set(true); // work_retry's time, read as the table moves it to queued
      b.retries.run();
      assertFalse(eventClock.armed.get(), "the bookkeeping threw");
      assertEquals(1, b.records(), "not published yet");
      assertEquals(1, plan.size(), "put off, not dropped");

      clock.advance(Duration.ofSeconds(1));
      b.retries.run();
      assertEquals(2, b.records(), "published by the next round");
      assertEquals(0, plan.size());
      assertEquals(WorkState.QUEUED, table.status("a").orElseThrow().state());
      assertEquals(2, table.status("a").orElseThrow().attempts());
      assertFalse(table.awaitsRepublish("a", 2), "noted as published");
    }
  }

  /**
   * A retry planned twice, e.g. put off while Kafka was away and planned again as its results partition
   * came back to this coordinator, was published twice: a requeued retry only checked that the item was
   * queued. Now the second plan finds the attempt published and publishes nothing.
   */
  @Test
  void aRetryPlannedTwiceIsPublishedOnce(TestKafka k) throws Exception {
    try (Broker b = new Broker(k)) {
      b.failedOnce("a");
      long now = clock.millis();
      assertTrue(table.retried("a", 2, now), "queued again; its publication failed and was put off");
      plan.scheduleRepublish("a", 2, now); // the put-off one
      plan.scheduleRepublish("a", 2, now); // planned again when its partition came back
      b.retries.run();
      clock.advance(Duration.ofSeconds(1));
      b.retries.run();
      assertEquals(2, b.records(), "the first publication and one retry");
      assertEquals(0, plan.size());
    }
  }

  /**
   * A publication whose wait ran out while the producer still had it (Kafka slow, not away) was put off
   * and sent again by the next round, and both copies reached the queue. Now the next try waits for the
   * first send instead of sending another.
   */
  @Test
  void aPublicationWhoseWaitRanOutIsNotSentAgain(TestKafka k) throws Exception {
    java.util.HashMap<String, String> slow = new java.util.HashMap<>(k.clients().passThrough());
    slow.put("linger.ms", "6000"); // held by the producer for 6 s: past the 2 s wait below
    try (Broker b = new Broker(k);
        Producer<String, byte[]> lingering = new KafkaClients(k.bootstrapServers(), slow).producer()) {
      b.failedOnce("a");
      // The reader's consumer is made (and the record read) before the short waits start.
      new Republisher(b.reader, b.publisher, b.topics, Duration.ofSeconds(30)).payload(table.ref("a").orElseThrow());
      RepublishRetries retries = new RepublishRetries(plan, table, new Republisher(b.reader,
          new WorkPublisher(lingering, codec, b.topics), b.topics, Duration.ofSeconds(2)), clock, clock::nanoTime);
      plan.schedule("a", 2, clock.millis());
      retries.run();
      assertEquals(1, plan.size(), "its wait ran out: put off");
      assertTrue(table.awaitsRepublish("a", 2));

      Poll.until(() -> b.records() == 2, Duration.ofSeconds(30), "the first send to reach Kafka");
      clock.advance(Duration.ofSeconds(1));
      retries.run();
      lingering.flush();
      assertEquals(2, b.records(), "the first publication and one retry, not two");
      assertEquals(0, plan.size());
      assertFalse(table.awaitsRepublish("a", 2), "noted as published");
    }
  }

  /** The test broker with one queue topic, a republisher and the retry task, for work in {@code default}. */
  private final class Broker implements AutoCloseable {
    final Topics topics;
    final Admin admin;
    final Producer<String, byte[]> producer;
    final EnvelopeReader reader;
    final WorkPublisher publisher;
    final RepublishRetries retries;

    Broker(TestKafka k) {
      topics = Topics.of(k.topicPrefix());
      admin = k.clients().admin();
      new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 10, java.util.Set.of(),
          Clock.systemUTC()).ensure("default");
      producer = k.clients().producer();
      reader = new EnvelopeReader(k.clients(), codec);
      publisher = new WorkPublisher(producer, codec, topics);
      retries = new RepublishRetries(plan, table, new Republisher(reader, publisher, topics, Duration.ofSeconds(10)),
          clock, clock::nanoTime);
    }

    /** Publishes {@code id} (attempt 1 of 2) and fails that attempt: it waits to retry. */
    void failedOnce(String id) {
      Instant t = clock.instant();
      WorkEnvelope w = new WorkEnvelope(id, "default", 1, 2, 600, TextNode.valueOf(id), t, t.plusSeconds(600));
      table.queued(w, clock.millis());
      RecordMetadata m = publisher.sendAndWait(w, Duration.ofSeconds(10));
      table.located(id, m.partition(), m.offset());
      table.applyResult(new ResultEnvelope(id, 1, ResultStatus.FAILED, null, "boom", null, 1), null, clock.millis());
      assertEquals(WorkState.RETRY_WAIT, table.status(id).orElseThrow().state());
    }

    /** Records on the queue's topic. */
    long records() {
      TopicPartition tp = new TopicPartition(topics.work("default"), 0);
      try {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      reader.close();
      producer.close(Duration.ofSeconds(5));
      admin.close(Duration.ofSeconds(5));
      events.close();
    }
  }

  private static final class ThrowsOnce extends Clock {
    final AtomicBoolean armed = new AtomicBoolean();
    private final Clock base;

    ThrowsOnce(Clock base) {
      this.base = base;
    }

    @Override
    public Instant instant() {
      if (armed.getAndSet(false)) {
        throw new IllegalStateException("a bug in the bookkeeping");
      }
      return base.instant();
    }

    @Override
    public ZoneId getZone() {
      return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
