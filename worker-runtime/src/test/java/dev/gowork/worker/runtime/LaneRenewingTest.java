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
import java.util.List;
import java.util.Map;
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
 * records would never come back and the slot would take no work again.
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
      Instant now = Instant.now();
      Held lost = held(lane, polled.get(0), now);
      Held kept = held(lane, polled.get(1), now);
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
          if (lane.returned(r, Instant.now())) {
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

  private Held held(Lane lane, ConsumerRecord<String, byte[]> r, Instant now) {
    return new Held(lane, r, work, 1, new RunContext(work, 1, Clock.systemUTC()), now);
  }
}
