package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.AutoWorker;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Ownership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A coordinator killed with a transaction open, and the coordinator that takes its results partitions
 * over (real broker). The killed one's transaction holds back every {@code read_committed} reader of
 * what it wrote and keeps the results offsets it committed pending, so the results of its partitions
 * cannot be read until Kafka aborts it: after {@code transaction.timeout.ms}, 10 minutes here. The
 * survivor fences the killed one's transactional id (it is no longer a member of the coordinators'
 * group) and finishes its work long before that.
 *
 * <p>Found with it (a walk-through with real processes, docs/coordinator.md): after {@code kill -9} of
 * one of two coordinators, the last item completed ~66 s after the kill, the transaction timeout (60 s)
 * dominating the group's session timeout, so lowering the latter did not help.
 */
@ExtendWith(KafkaExtension.class)
class CrashedCoordinatorsOpenTransactionTest {
  /** Far below the killed coordinator's transaction timeout (10 minutes). */
  private static final Duration WAIT = Duration.ofSeconds(90);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();

  private WorkServer coordinator(KafkaClients clients, Topics topics, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(clients).topics(topics).clock(clock)
        .nanoTime(clock::nanoTime)
        .shareGroupSettings(ServerFixture.FAST_GROUP).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .commitInterval(Duration.ofMillis(20)).instanceId(instanceId).build();
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void theSurvivorFencesTheKilledCoordinatorsOpenTransactionAndFinishesItsWorkBeforeItsTimeout(TestKafka k)
      throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    // a's group session ends 6 s after its last heartbeat (the broker's least), instead of 45 s.
    Map<String, String> aConfig = new HashMap<>(ServerFixture.fastRebalancing(k).passThrough());
    aConfig.put("session.timeout.ms", "6000");
    WorkServer a = coordinator(new KafkaClients(k.bootstrapServers(), aConfig), topics, "a");
    WorkServer b = coordinator(ServerFixture.fastRebalancing(k), topics, "b");
    SplitPartitions.await(a, b, WAIT);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Work w = b.createWork(Map.of("n", i), 3600);
      b.add(w);
      ids.add(w.id());
    }
    List<Integer> ofA = List.copyOf(a.ownedPartitions());
    assertTrue(ids.stream().anyMatch(id -> ofA.contains(Ownership.partitionOf(id, 6))), "some work is a's");

    a.crash(); // stays in the group until its session times out, as a killed process does
    leaveOpenTransaction(k, topics, topics.prefix() + ".coordinator-a", ofA);

    Session s = session(b);
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
        .containsAll(ids), WAIT, "b to finish every item, a's included, before a's transaction times out");
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), ids, EventType.WORK_COMPLETE);
    // Counted once the fence call returns, which can be after the abort it caused let b finish the work.
    Poll.until(() -> b.abandonedTransactionsFenced() >= 1, WAIT, "b to count the fence");
    assertEquals(1, b.abandonedTransactionsFenced());
    assertFalse(b.failure().isPresent(), () -> b.failure().get());
  }

  /**
   * Leaves, under a's transactional id, what a kill -9 in the middle of a's commit leaves: a transaction
   * open on its state topic and with the results offsets of its partitions ({@link WorkServer#crash()}
   * aborts a's own; this producer takes the id over, as a's next transaction would have run, and
   * is dropped without an abort). Its transaction timeout is 10 minutes.
   */
  private static void leaveOpenTransaction(TestKafka k, Topics topics, String txId, List<Integer> partitions)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    try (Admin admin = k.clients().admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(topics.coordinatorGroup())
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      for (int p : partitions) {
        TopicPartition tp = new TopicPartition(topics.results(), p);
        OffsetAndMetadata c = committed.get(tp);
        offsets.put(tp, new OffsetAndMetadata(c == null ? 0 : c.offset()));
      }
      KafkaClients clients = new KafkaClients(k.bootstrapServers(), Map.of("transaction.timeout.ms", "600000"));
      Producer<String, byte[]> killed = clients.transactionalProducer(txId);
      killed.initTransactions();
      killed.beginTransaction();
      killed.send(new ProducerRecord<>(topics.state(), "left-open", "x".getBytes(StandardCharsets.UTF_8))).get();
      killed.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(topics.coordinatorGroup()));
      killed.flush();
      killed.close(Duration.ZERO); // no abort: as a killed process
      assertEquals(TransactionState.ONGOING, admin.describeTransactions(List.of(txId)).all().get(10, TimeUnit.SECONDS)
          .get(txId).state(), "a's transaction left open");
    }
  }

  private static Session session(WorkServer via) {
    Registration r = via.workers().register();
    return via.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(),
        r.challenge()));
  }
}
