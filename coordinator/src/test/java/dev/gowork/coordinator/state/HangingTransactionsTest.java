package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which open transactions count as hanging (the decision, on its own), and, on the broker, that a
 * transaction really open is never aborted by the check: it still commits, and its records are read.
 * (A hanging transaction itself cannot be made on demand: Kafka 4.4 registers every transactional write
 * with its transaction coordinator. LocalDeployTest's coordinator-kill case meets real ones.)
 */
@ExtendWith(KafkaExtension.class)
class HangingTransactionsTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private static ProducerState open(long producerId, long from) {
    return new ProducerState(producerId, 3, 7, 0L, OptionalInt.of(0), OptionalLong.of(from));
  }

  @Test
  void hangingMeansTheSameOpenStateInBothLooksAndListedClosedInBetween() {
    Map<TopicPartition, Map<Long, ProducerState>> before = Map.of(
        P0, Map.of(1L, open(1, 10), 2L, open(2, 20), 3L, open(3, 30), 4L, open(4, 40), 5L, open(5, 50)),
        P1, Map.of(1L, open(1, 11)));
    ProducerState fiveWroteAgain = new ProducerState(5, 4, 0, 1L, OptionalInt.of(0), OptionalLong.of(50));
    Map<TopicPartition, Map<Long, ProducerState>> after = Map.of(
        P0, Map.of(1L, open(1, 10), 2L, open(2, 20), 3L, open(3, 35), 5L, fiveWroteAgain),  // 3: new; 4: closed
        P1, Map.of(1L, open(1, 11)));

    // 2 is not listed closed (its coordinator has it open, or did not answer for it)
    var hanging = HangingTransactions.hanging(before, Set.of(1L, 3L, 4L, 5L), after);

    assertEquals(2, hanging.size(), hanging.toString());
    assertTrue(hanging.stream().allMatch(h -> h.getValue().producerId() == 1), hanging.toString());
    assertEquals(Set.of(P0, P1), Set.copyOf(hanging.stream().map(Map.Entry::getKey).toList()));
  }

  @Test
  void onlyAProducerListedClosedUnderTheCoordinatorsPrefixCounts() {
    String prefix = "p.coordinator-";
    var listed = List.of(
        new TransactionListing("p.coordinator-a", 1, TransactionState.COMPLETE_COMMIT),
        new TransactionListing("p.coordinator-b", 2, TransactionState.EMPTY),
        new TransactionListing("p.coordinator-c", 3, TransactionState.COMPLETE_ABORT),
        new TransactionListing("p.coordinator-d", 4, TransactionState.ONGOING),
        new TransactionListing("p.coordinator-e", 5, TransactionState.PREPARE_COMMIT),
        new TransactionListing("other-app", 6, TransactionState.COMPLETE_COMMIT),
        // a stale answer (a transaction coordinator that has not yet unloaded a moved partition) next to a live one
        new TransactionListing("p.coordinator-f", 7, TransactionState.COMPLETE_COMMIT),
        new TransactionListing("p.coordinator-f", 7, TransactionState.ONGOING),
        new TransactionListing("p.coordinator-g", 8, TransactionState.UNKNOWN));

    assertEquals(Set.of(1L, 2L, 3L), HangingTransactions.listedClosed(listed, prefix));
  }

  @Test
  void aProducerMissingFromTheListingIsNotHanging() {
    // ListTransactions leaves out what the principal may not describe, and the transactions of a
    // transaction coordinator that is moving or offline: absence says nothing.
    Map<TopicPartition, Map<Long, ProducerState>> looks = Map.of(P0, Map.of(1L, open(1, 10)));

    assertEquals(Set.of(), HangingTransactions.listedClosed(List.of(), "p.coordinator-"));
    assertEquals(List.of(), HangingTransactions.hanging(looks, Set.of(), looks));
  }

  @Test
  void aPartitionKafkaDoesNotDescribeDoesNotHideTheOthers(TestKafka kafka) throws Exception {
    String topic = kafka.topicPrefix() + ".state";
    TopicPartition tp = new TopicPartition(topic, 0);
    TopicPartition missing = new TopicPartition(topic, 7);
    try (Admin admin = kafka.clients().admin();
        Producer<String, byte[]> producer = openTransactionOn(kafka, topic, 1)) {
      HangingTransactions check = new HangingTransactions(admin, List.of(topic), List.of(),
          kafka.topicPrefix() + ".", Duration.ofSeconds(2));
      var open = check.openOn(List.of(tp, missing));

      assertEquals(Set.of(tp), open.keySet(), "the described partition is looked at: " + open);
      producer.abortTransaction();
    }
  }

  /** A new topic of {@code partitions}, and a producer whose transaction is open on its partition 0. */
  private static Producer<String, byte[]> openTransactionOn(TestKafka kafka, String topic, int partitions)
      throws Exception {
    try (Admin admin = kafka.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
    Producer<String, byte[]> producer = kafka.clients().transactionalProducer(kafka.topicPrefix() + ".tx");
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, 0, "k", "v".getBytes(StandardCharsets.UTF_8))).get();
    return producer;
  }

  private static long stableEnd(Admin admin, TopicPartition tp) {
    try {
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all().get().get(tp).offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void nothingOpenMeansNothingHanging() {
    assertEquals(List.of(), HangingTransactions.hanging(Map.of(), Set.of(), Map.of()));
  }

  @Test
  void aTransactionThatIsReallyOpenIsLeftAloneAndStillCommits(TestKafka kafka) throws Exception {
    String topic = kafka.topicPrefix() + ".state";
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Admin admin = kafka.clients().admin();
        Producer<String, byte[]> producer = openTransactionOn(kafka, topic, 2)) {
      String group = kafka.topicPrefix() + ".group";
      producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(1)), new ConsumerGroupMetadata(group));

      HangingTransactions check = new HangingTransactions(admin, List.of(topic), List.of(group),
          kafka.topicPrefix() + ".", Duration.ofSeconds(10));
      List<TopicPartition> partitions = check.partitions();
      assertTrue(partitions.containsAll(List.of(tp, new TopicPartition(topic, 1))), partitions.toString());
      assertEquals(3, partitions.size(), "both partitions and the group's offsets partition: " + partitions);
      assertEquals(List.of(), check.abortAll(), "an open transaction is not taken for a hanging one");

      producer.commitTransaction();
      Poll.until(() -> stableEnd(admin, tp) == 2, Duration.ofSeconds(30),
          "the record and the commit marker below the last stable offset");
      assertEquals(1, admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
              .partitionsToOffsetAndMetadata().get().get(tp).offset(),
          "the offset committed in the transaction is stable");
      assertEquals(List.of(), check.abortAll(), "nothing is open any more");
    }
  }
}
