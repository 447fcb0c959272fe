package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.testing.Works;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lane's state while records are out for RENEW, driven directly on a real share consumer: a lane
 * that called itself idle then would never poll again (it has unacknowledged records), so the renewed
 * records would never come back and the slot would take no work again. And renewed records that come
 * back in different polls, as those of partitions with different leaders do: the single test broker
 * brings a lane's records back together, so a test holds one back from the lane for a while (it
 * RENEWs that one on the consumer itself, as the broker would keep it ours meanwhile).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(60)
class LaneRenewingTest {
  private final WorkEnvelope work = Works.work("q", Works.data(), Instant.now(), Duration.ofMinutes(5));

  @Test
  void aLostRecordFinishedWhileOthersAreRenewedLeavesTheLaneRenewing(TestKafka kafka) throws Exception {
    String topic = kafka.topicPrefix() + ".lane";
    String group = kafka.topicPrefix() + "-lane";
    try (Admin admin = kafka.clients().admin(); Producer<String, byte[]> producer = kafka.clients().producer()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin);
      provisioner.ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
      provisioner.configureShareGroup(group, ShareGroupSettings.defaults());
      producer.send(new ProducerRecord<>(topic, "a", new byte[0])).get();
      producer.send(new ProducerRecord<>(topic, "b", new byte[0])).get();
    }
    ShareConsumer<String, byte[]> consumer = kafka.clients().shareConsumer(group,
        Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2));
    Lane lane = new Lane(0, consumer, new Stats(null));
    try {
      lane.subscribe(topic);
      List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (polled.size() < 2 && System.nanoTime() < until) {
        lane.poll(Duration.ofMillis(200)).forEach(polled::add);
      }
      assertEquals(2, polled.size(), "both records acquired in one poll");
      Held lost = held(lane, polled.get(0));
      Held kept = held(lane, polled.get(1));
      lane.hold(List.of(lost, kept));
      lane.handlerDone(lost);
      lane.handlerDone(kept);
      // Say its lock was lost (a renewal the broker refused): acknowledged as far as the consumer knows.
      consumer.acknowledge(lost.record, AcknowledgeType.RELEASE);
      lost.lockLost = true;
      lane.renewWriting(List.of(kept));
      assertEquals(Lane.State.RENEWING, lane.state());

      assertTrue(lane.finish(lost, AcknowledgeType.ACCEPT), "the lost record's result was written");
      assertEquals(Lane.State.RENEWING, lane.state(), "the renewed record has not come back yet");

      boolean back = false;
      until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!back && System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : lane.poll(Duration.ofMillis(200))) {
          if (lane.returned(r)) {
            back = true;
          } else {
            lane.acknowledge(r, AcknowledgeType.RELEASE); // the released record, delivered again
          }
        }
      }
      assertTrue(back, "the renewed record came back");
      assertFalse(lane.state() == Lane.State.RENEWING);
      assertTrue(lane.finish(kept, AcknowledgeType.ACCEPT));
      assertEquals(Lane.State.IDLE, lane.state());
      assertFalse(lane.hasUnfinished());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Before, the poll that brought back one of two renewed records presumed the other lost at once,
   * although its lock was fine. Now the one that came back is renewed again (the lane's next poll
   * fails while it is unacknowledged), and the other is taken when it comes, its lock intact.
   */
  @Test
  void aRenewedRecordThatComesBackAPollAfterTheOtherKeepsItsLock(TestKafka kafka) throws Exception {
    try (TwoResults two = new TwoResults(kafka, new AtomicLong())) {
      two.lane.renewWriting(List.of(two.a, two.b));
      assertEquals(Set.of(two.a), two.pollUntilBack(Set.of(two.b)));
      assertFalse(two.b.lockLost, "the record still out presumed lost");
      assertEquals(Lane.State.RENEWING, two.lane.state(), "the lane waits for it");

      Set<Held> back = new HashSet<>();
      while (two.lane.state() == Lane.State.RENEWING) {
        back.addAll(two.pollUntilBack(Set.of())); // a poll here fails if the first is unacknowledged
      }
      assertTrue(back.contains(two.b), "came back: " + back);
      assertFalse(two.a.lockLost);
      assertFalse(two.b.lockLost);
      assertTrue(two.lane.finish(two.a, AcknowledgeType.ACCEPT));
      assertTrue(two.lane.finish(two.b, AcknowledgeType.ACCEPT));
      assertEquals(Lane.State.IDLE, two.lane.state());
      assertFalse(two.lane.hasUnfinished());
      two.lane.poll(); // every record of the last poll acknowledged
    }
  }

  /**
   * A renewed record kept away is given up after the poll that brought back the other and two more,
   * once a tenth of the patience has passed: the other goes out again at once and comes back a round
   * trip later, so polls alone can pass in milliseconds (they did, and the straggler, given up, was no
   * longer renewed while its result waited).
   */
  @Test
  void aRenewedRecordThatStaysAwayIsPresumedLostAfterTwoMorePollsAndATenthOfThePatience(TestKafka kafka)
      throws Exception {
    AtomicLong nanos = new AtomicLong();
    try (TwoResults two = new TwoResults(kafka, nanos)) {
      two.lane.renewWriting(List.of(two.a, two.b));
      for (int poll = 1; poll <= 2 + Renewals.FURTHER_POLLS_FOR_STRAGGLERS; poll++) {
        assertEquals(Set.of(two.a), two.pollUntilBack(Set.of(two.b)));
        assertFalse(two.b.lockLost, "presumed lost after poll " + poll + " in quick succession");
      }
      nanos.set(PATIENCE.toNanos() / Renewals.STRAGGLER_WAIT_SHARE_OF_PATIENCE);
      assertEquals(Set.of(two.a), two.pollUntilBack(Set.of(two.b)));
      assertTrue(two.b.lockLost, "presumed lost");
      assertFalse(two.a.lockLost);
      assertEquals(Lane.State.IDLE, two.lane.state(), "the record that came back waits for its result, not renewed");
      assertTrue(two.lane.hasUnfinished());
      assertTrue(two.lane.finish(two.a, AcknowledgeType.ACCEPT));
      assertTrue(two.lane.finish(two.b, AcknowledgeType.ACCEPT));
      assertFalse(two.lane.hasUnfinished());
    }
  }

  /** The patience runs on the lane's monotonic source, for each record from its own RENEW. */
  @Test
  void aRenewedRecordThatStaysAwayIsPresumedLostOnceThePatienceRunsOut(TestKafka kafka) throws Exception {
    AtomicLong nanos = new AtomicLong();
    try (TwoResults two = new TwoResults(kafka, nanos)) {
      two.lane.renewWriting(List.of(two.a, two.b));
      nanos.set(PATIENCE.toNanos() / 2);
      assertEquals(Set.of(two.a), two.pollUntilBack(Set.of(two.b))); // a out again, from half the patience
      nanos.set(PATIENCE.toNanos() - 1);
      two.lane.checkRenewal(PATIENCE);
      assertFalse(two.b.lockLost);
      nanos.set(PATIENCE.toNanos());
      two.lane.checkRenewal(PATIENCE);
      assertTrue(two.b.lockLost, "presumed lost a patience after its RENEW");
      assertFalse(two.a.lockLost);
      assertEquals(Lane.State.RENEWING, two.lane.state(), "the first is still out");
      while (two.lane.state() == Lane.State.RENEWING) {
        two.pollUntilBack(Set.of());
      }
      assertFalse(two.a.lockLost);
    }
  }

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /**
   * A lane on a real share consumer holding two records of one poll, {@code a} and {@code b}, both
   * with their handlers returned (results being written); its monotonic time is {@code nanos}.
   */
  private final class TwoResults implements AutoCloseable {
    final ShareConsumer<String, byte[]> consumer;
    final Lane lane;
    final Held a;
    final Held b;

    TwoResults(TestKafka kafka, AtomicLong nanos) throws Exception {
      String topic = kafka.topicPrefix() + ".lane";
      String group = kafka.topicPrefix() + "-lane";
      try (Admin admin = kafka.clients().admin(); Producer<String, byte[]> producer = kafka.clients().producer()) {
        TopicProvisioner provisioner = new TopicProvisioner(admin);
        provisioner.ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
        provisioner.configureShareGroup(group, ShareGroupSettings.defaults());
        producer.send(new ProducerRecord<>(topic, "a", new byte[0])).get();
        producer.send(new ProducerRecord<>(topic, "b", new byte[0])).get();
      }
      consumer = kafka.clients().shareConsumer(group, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2));
      lane = new Lane(0, consumer, new Stats(null), nanos::get);
      lane.subscribe(topic);
      List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (polled.size() < 2 && System.nanoTime() < until) {
        lane.poll(Duration.ofMillis(200)).forEach(polled::add);
      }
      assertEquals(2, polled.size(), "both records acquired in one poll");
      assertEquals("a", polled.get(0).key());
      a = held(lane, polled.get(0), nanos.get());
      b = held(lane, polled.get(1), nanos.get());
      lane.hold(List.of(a, b));
      lane.handlerDone(a);
      lane.handlerDone(b);
    }

    /**
     * Polls the lane, as the poll thread does, until a poll brings back some of its records; those
     * of {@code withheld} are kept from it (RENEWed on the consumer instead).
     *
     * @return the records that came back to the lane in that poll
     */
    Set<Held> pollUntilBack(Set<Held> withheld) {
      Set<Held> back = new HashSet<>();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (back.isEmpty() && System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : lane.poll(Duration.ofMillis(200))) {
          Held h = RecordKey.of(r).equals(a.key) ? a : RecordKey.of(r).equals(b.key) ? b : null;
          if (withheld.contains(h)) {
            consumer.acknowledge(r, AcknowledgeType.RENEW);
          } else if (h != null && lane.returned(r)) {
            back.add(h);
          } else {
            lane.acknowledge(r, AcknowledgeType.RELEASE);
          }
        }
        lane.checkRenewal(PATIENCE);
      }
      assertFalse(back.isEmpty(), "a renewed record came back");
      return back;
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private Held held(Lane lane, ConsumerRecord<String, byte[]> r) {
    return held(lane, r, System.nanoTime());
  }

  private Held held(Lane lane, ConsumerRecord<String, byte[]> r, long acquiredNanos) {
    return new Held(lane, r, work, 1, new RunContext(work, 1, Clock.systemUTC()), acquiredNanos);
  }
}
