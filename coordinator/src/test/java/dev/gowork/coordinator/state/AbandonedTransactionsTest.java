package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which transactional ids are fenced (the decision, on its own), and, on the broker, that a young
 * transaction of a coordinator not (yet) in the group is left alone, and so are old ones of a live
 * member and of another prefix's coordinator: they still commit.
 * {@code CrashedCoordinatorsOpenTransactionTest} has the takeover it is for.
 */
@ExtendWith(KafkaExtension.class)
class AbandonedTransactionsTest {
  private static final String PREFIX = "p.coordinator-";

  @Test
  void onlyOngoingTransactionsOfThePrefixsCoordinatorsWhoseIdNoMemberHasAreFenced() {
    var ongoing = List.of(
        new TransactionListing("p.coordinator-gone", 1, TransactionState.ONGOING),
        new TransactionListing("p.coordinator-b", 2, TransactionState.ONGOING),       // a member
        new TransactionListing("p.coordinator-self", 3, TransactionState.ONGOING),    // this coordinator
        new TransactionListing("p.coordinator-ended", 4, TransactionState.COMPLETE_ABORT),
        new TransactionListing("p.coordinator-ending", 5, TransactionState.PREPARE_COMMIT),
        new TransactionListing("other-app", 6, TransactionState.ONGOING),
        new TransactionListing("q.coordinator-gone", 7, TransactionState.ONGOING),    // another prefix
        // a coordinator of the prefix p.coordinator-eu, which starts with this prefix's ids' prefix
        new TransactionListing("p.coordinator-eu.coordinator-0", 8, TransactionState.ONGOING),
        new TransactionListing("p.coordinator-", 9, TransactionState.ONGOING));        // no instance id

    Set<String> fence = AbandonedTransactions.toFence(ongoing, Set.of("p.coordinator-self", "p.coordinator-b"),
        "p.coordinator-self", PREFIX);

    assertEquals(Set.of("p.coordinator-gone"), fence);
  }

  @Test
  void nothingIsFencedWhileThisCoordinatorIsNotAmongTheMembers() {
    var ongoing = List.of(new TransactionListing("p.coordinator-gone", 1, TransactionState.ONGOING));

    assertEquals(Set.of(), AbandonedTransactions.toFence(ongoing, Set.of("p.coordinator-b"), "p.coordinator-self",
        PREFIX));
    assertEquals(Set.of(), AbandonedTransactions.toFence(ongoing, Set.of(), "p.coordinator-self", PREFIX));
  }

  @Test
  void aYoungTransactionOfACoordinatorNotInTheGroupIsNotFencedAndCommits(TestKafka k) throws Exception {
    String prefix = k.topicPrefix();
    String topic = prefix + ".state";
    String group = prefix + ".coordinator";
    String self = prefix + ".coordinator-self";
    try (Admin admin = k.clients().admin();
        Consumer<String, byte[]> member = k.clients().consumer(group, Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG,
            "classic", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, self))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      member.subscribe(List.of(topic));
      Poll.until(() -> {
        member.poll(Duration.ofMillis(100));
        return !member.assignment().isEmpty();
      }, Duration.ofSeconds(30), "this coordinator to be a member of its group");
      KafkaClients clients = new KafkaClients(k.bootstrapServers(), Map.of("transaction.timeout.ms", "600000"));
      // A coordinator starting up: its first transaction may come before it joins the group.
      try (Producer<String, byte[]> starting = clients.transactionalProducer(prefix + ".coordinator-new")) {
        starting.initTransactions();
        starting.beginTransaction();
        starting.send(new ProducerRecord<>(topic, "k", "v".getBytes(StandardCharsets.UTF_8))).get();
        AbandonedTransactions fence = new AbandonedTransactions(admin, group, self, prefix + ".coordinator-",
            Duration.ofSeconds(5));

        assertEquals(List.of(), fence.fenceAll(), "a transaction open for less than the floor");

        starting.commitTransaction(); // not fenced: the commit succeeds (it throws ProducerFencedException if fenced)
      }
    }
  }

  @Test
  void ofTransactionsOpenPastTheFloorOnlyTheGoneCoordinatorsIsFencedNotAMembersNorAnotherPrefixs(TestKafka k)
      throws Exception {
    String prefix = k.topicPrefix();
    String topic = prefix + ".state";
    String group = prefix + ".coordinator";
    String self = prefix + ".coordinator-self";
    String live = prefix + ".coordinator-live";
    String gone = prefix + ".coordinator-gone";
    String otherPrefixs = prefix + ".coordinator-eu.coordinator-0"; // a coordinator of prefix <p>.coordinator-eu
    KafkaClients clients = new KafkaClients(k.bootstrapServers(), Map.of("transaction.timeout.ms", "600000"));
    try (Admin admin = k.clients().admin();
        Consumer<String, byte[]> member = member(k, group, self);
        Consumer<String, byte[]> liveMember = member(k, group, live);
        Producer<String, byte[]> ofLive = clients.transactionalProducer(live);
        Producer<String, byte[]> ofGone = clients.transactionalProducer(gone);
        Producer<String, byte[]> ofOtherPrefix = clients.transactionalProducer(otherPrefixs)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      member.subscribe(List.of(topic));
      liveMember.subscribe(List.of(topic));
      Poll.until(() -> {
        member.poll(Duration.ofMillis(100));
        liveMember.poll(Duration.ofMillis(100));
        return memberIds(admin, group).containsAll(List.of(self, live));
      }, Duration.ofSeconds(30), "both to be members of the group");
      for (Producer<String, byte[]> p : List.of(ofLive, ofGone, ofOtherPrefix)) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>(topic, "k", "v".getBytes(StandardCharsets.UTF_8))).get();
      }
      // The broker's clock says when they are past the floor: a live coordinator's commit can take that long.
      Poll.until(() -> {
        member.poll(Duration.ofMillis(100));
        liveMember.poll(Duration.ofMillis(100));
        return openPastTheFloor(admin).containsAll(List.of(live, gone, otherPrefixs));
      }, Duration.ofSeconds(60), "the three transactions to be open past the floor");
      AbandonedTransactions fence = new AbandonedTransactions(admin, group, self, prefix + ".coordinator-",
          Duration.ofSeconds(5));

      assertEquals(List.of(gone), fence.fenceAll());

      ofLive.commitTransaction(); // neither was fenced: they commit (ProducerFencedException if fenced)
      ofOtherPrefix.commitTransaction();
    }
  }

  private static Consumer<String, byte[]> member(TestKafka k, String group, String instanceId) {
    return k.clients().consumer(group, Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId));
  }

  private static List<String> memberIds(Admin admin, String group) {
    try {
      return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members()
          .stream().flatMap(m -> m.groupInstanceId().stream()).toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  private static List<String> openPastTheFloor(Admin admin) {
    try {
      return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING))
          .filterOnDuration(AbandonedTransactions.FLOOR.toMillis())).all().get(10, TimeUnit.SECONDS).stream()
          .map(TransactionListing::transactionalId).toList();
    } catch (Exception e) {
      return List.of();
    }
  }
}
