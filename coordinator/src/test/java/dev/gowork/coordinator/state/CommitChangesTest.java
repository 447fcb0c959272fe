package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.Poll;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The committer on a real broker: a cut's journal entries and result offsets land in one transaction,
 * flush waiters are served by it, a commit refused for a group generation that ended is retried
 * under the consumer's new one, and transactions wait for the commit interval except at a close.
 */
@ExtendWith(KafkaExtension.class)
class CommitChangesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private TestKafka kafka;
  private String results;
  private String state;
  private String group;
  private Journal journal;
  private CommitChanges commits;
  private Consumer<String, byte[]> resultsConsumer;
  private final AtomicInteger wakes = new AtomicInteger();

  @BeforeEach
  void setUp(TestKafka k) throws Exception {
    kafka = k;
    results = k.topicPrefix() + ".results";
    state = k.topicPrefix() + ".state";
    group = k.topicPrefix() + ".coordinator";
    try (Admin admin = k.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(results, 1, (short) 1), new NewTopic(state, 1, (short) 1),
          new NewTopic(k.topicPrefix() + ".sessions", 1, (short) 1),
          new NewTopic(k.topicPrefix() + ".events", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (Producer<String, byte[]> p = k.clients().producer()) {
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>(results, "r" + i, new byte[] {1})).get(30, TimeUnit.SECONDS);
      }
    }
    resultsConsumer = k.clients().consumer(group, Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
    resultsConsumer.subscribe(List.of(results));
    int seen = 0;
    long end = System.nanoTime() + WAIT.toNanos();
    while (seen < 3 && System.nanoTime() < end) {
      seen += resultsConsumer.poll(Duration.ofMillis(200)).count();
    }
    assertEquals(3, seen, "results read before the test");
  }

  private void startCommitter(Duration interval) {
    startCommitter(interval, () -> { });
  }

  /** With {@code beforeCommit} run before each {@code commitTransaction} of the real producer. */
  private void startCommitter(Duration interval, Runnable beforeCommit) {
    journal = Journal.durable(WAIT);
    String txId = kafka.topicPrefix() + ".coordinator-0";
    TransactionalWriter writer = new TransactionalWriter(() -> wrapped(kafka.clients().transactionalProducer(txId),
        beforeCommit), txId,
        state, kafka.topicPrefix() + ".sessions", kafka.topicPrefix() + ".events",
        kafka.topicPrefix() + ".control", kafka.topicPrefix() + ".schedules",
        kafka.topicPrefix() + ".queues");
    writer.init();
    commits = new CommitChanges(journal, writer, interval);
    commits.attach(wakes::incrementAndGet);
  }

  @AfterEach
  void tearDown() {
    commits.close(Duration.ofSeconds(5), new IllegalStateException("test over"));
    resultsConsumer.close(Duration.ZERO);
  }

  @Test
  void aCutCommitsItsEntriesWithItsOffsetsAndServesTheFlushWaiters() throws Exception {
    startCommitter(Duration.ZERO);
    journal.put(Journal.Kind.STATE, "w-1", "one".getBytes(StandardCharsets.UTF_8));
    CompletableFuture<Void> flushed = journal.flush();
    assertTrue(wakes.get() >= 1, "a flush waiter wakes the results loop");
    commits.consumed(results, 0, 2);
    long cut = commits.handOff(resultsConsumer.groupMetadata());

    assertTrue(commits.awaitCommitted(cut, WAIT), "cut committed");
    flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(List.of("w-1"), committedKeys(state));
    assertEquals(3, committedOffset());
  }

  @Test
  void aCommitRefusedForAnEndedGenerationIsRetriedUnderTheNewOne() throws Exception {
    startCommitter(Duration.ZERO);
    ConsumerGroupMetadata before = resultsConsumer.groupMetadata();
    resultsConsumer.enforceRebalance("the test ends the generation");
    long end = System.nanoTime() + WAIT.toNanos();
    while (resultsConsumer.groupMetadata().generationId() == before.generationId() && System.nanoTime() < end) {
      resultsConsumer.poll(Duration.ofMillis(100));
    }
    assertTrue(resultsConsumer.groupMetadata().generationId() > before.generationId(), "a new generation");

    journal.put(Journal.Kind.STATE, "w-2", "two".getBytes(StandardCharsets.UTF_8));
    commits.consumed(results, 0, 2);
    long cut = commits.handOff(before);
    // Refused under the old generation; the results loop reports the new one after its next poll.
    Thread.sleep(300);
    commits.groupMetadata(resultsConsumer.groupMetadata());

    assertTrue(commits.awaitCommitted(cut, WAIT), "committed under the new generation");
    assertEquals(List.of("w-2"), committedKeys(state));
    assertEquals(3, committedOffset());
  }

  @Test
  void aCutWaitsForTheCommitIntervalButACloseCommitsItAtOnce() throws Exception {
    startCommitter(Duration.ofSeconds(60));
    journal.put(Journal.Kind.STATE, "w-1", "one".getBytes(StandardCharsets.UTF_8));
    long first = commits.handOff(resultsConsumer.groupMetadata());
    assertTrue(commits.awaitCommitted(first, WAIT), "the first cut does not wait");

    journal.put(Journal.Kind.STATE, "w-2", "two".getBytes(StandardCharsets.UTF_8));
    journal.put(Journal.Kind.STATE, "w-3", "three".getBytes(StandardCharsets.UTF_8));
    commits.consumed(results, 0, 2);
    long second = commits.handOff(resultsConsumer.groupMetadata());
    assertFalse(commits.awaitCommitted(second, Duration.ofMillis(500)), "the next one waits for the interval");

    commits.close(WAIT, new IllegalStateException("test over"));
    assertTrue(commits.awaitCommitted(second, Duration.ZERO), "closing committed it");
    assertEquals(List.of("w-1", "w-2", "w-3"), committedKeys(state));
    assertEquals(3, committedOffset());
  }

  /**
   * Found 2026-12-07: a transaction refused as not authorized (an ACL) was taken for a takeover, so the
   * coordinator said another one with its instance id took it over, and {@code gowork coordinator} exited 3.
   */
  @Test
  void aTransactionRefusedAsNotAuthorizedStopsTheCommitterSayingSoNotAsATakeover() throws Exception {
    startCommitter(Duration.ZERO, () -> {
      throw new TopicAuthorizationException(java.util.Set.of(state));
    });
    journal.put(Journal.Kind.STATE, "w-3", "three".getBytes(StandardCharsets.UTF_8));
    commits.handOff(resultsConsumer.groupMetadata());

    RuntimeException failure = Poll.until(commits::failure, WAIT, "the committer to stop");
    assertFalse(commits.takeover().happened(), "taken for a takeover: " + failure.getMessage());
    assertTrue(failure.getMessage().startsWith("Kafka refused this coordinator's transaction as not authorized"),
        failure.getMessage());
  }

  @Test
  void aNegativeIntervalIsRefused() {
    startCommitter(Duration.ZERO);
    assertThrows(IllegalArgumentException.class, () -> new CommitChanges(journal, null, Duration.ofMillis(-1)));
  }

  @SuppressWarnings("unchecked")
  private static Producer<String, byte[]> wrapped(Producer<String, byte[]> real, Runnable beforeCommit) {
    return (Producer<String, byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
        new Class<?>[] {Producer.class}, (proxy, m, args) -> {
          if (m.getName().equals("commitTransaction")) {
            beforeCommit.run();
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** The keys a read_committed reader sees on partition 0 of {@code topic}. */
  private List<String> committedKeys(String topic) {
    List<String> keys = new ArrayList<>();
    try (Consumer<String, byte[]> c = kafka.clients().consumer(null, Map.of())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      boolean quiet = false;
      while (System.nanoTime() < end && !(quiet && !keys.isEmpty())) {
        int before = keys.size();
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
          keys.add(r.key());
        }
        quiet = keys.size() == before;
      }
    }
    return keys;
  }

  private long committedOffset() throws Exception {
    try (Admin admin = kafka.clients().admin()) {
      OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS).get(new TopicPartition(results, 0));
      return o == null ? -1 : o.offset();
    }
  }
}
