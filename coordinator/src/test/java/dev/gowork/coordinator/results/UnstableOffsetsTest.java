package dev.gowork.coordinator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The safe side of {@link UnstableOffsets}, on the real broker: an offset a coordinator's open
 * transaction holds pending is never taken for stuck (the transaction settles it), nor is a stable one.
 * (A pending offset with no open transaction needs a broker stopped uncleanly: LocalDeployTest.)
 */
@ExtendWith(KafkaExtension.class)
class UnstableOffsetsTest {

  @Test
  void anOffsetPendingInAnOpenTransactionIsLeftToItAndAStableOneIsNotStuck(TestKafka k) throws Exception {
    String prefix = k.newPrefix();
    String topic = prefix + ".results";
    String group = prefix + ".coordinator";
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Admin admin = k.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      try (Consumer<String, byte[]> c = k.clients().consumer(group, Map.of())) {
        c.assign(List.of(tp));
        c.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
      }
      UnstableOffsets offsets = new UnstableOffsets(admin, group, Pattern.quote(prefix + ".coordinator-") + ".*");
      assertEquals(Map.of(), offsets.stuck(Set.of(tp)), "a stable offset");

      try (Producer<String, byte[]> p = k.clients().transactionalProducer(prefix + ".coordinator-a")) {
        p.initTransactions();
        p.beginTransaction();
        p.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(7)), new ConsumerGroupMetadata(group));
        assertFalse(admin.listConsumerGroupOffsets(Map.of(group, new ListConsumerGroupOffsetsSpec()),
            new ListConsumerGroupOffsetsOptions().requireStable(true)).partitionsToOffsetAndMetadata(group).get()
            .containsKey(tp), "the offset is pending while the transaction is open");
        assertEquals(Map.of(), offsets.stuck(Set.of(tp)), "an open transaction settles it: not stuck");
        p.abortTransaction();
      }
      assertEquals(Map.of(), offsets.stuck(Set.of(tp)), "settled by the abort");
      assertEquals(0, admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp).offset());
    }
  }
}
