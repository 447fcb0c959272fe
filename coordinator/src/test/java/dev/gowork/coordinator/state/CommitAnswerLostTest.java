package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A commit that the broker made but whose answer the client gave up waiting for ({@code max.block.ms})
 * is asked again on the same producer, not written again in a new transaction.
 */
@ExtendWith(KafkaExtension.class)
class CommitAnswerLostTest {
  @Test
  void aCommitWhoseAnswerTimedOutIsAskedAgainNotWrittenTwice(TestKafka k) throws Exception {
    String p = k.topicPrefix();
    try (Admin admin = k.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(p + ".state", 1, (short) 1), new NewTopic(p + ".sessions", 1, (short) 1),
          new NewTopic(p + ".events", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    String txId = p + ".coordinator-0";
    AtomicInteger commitsSeen = new AtomicInteger();
    TransactionalWriter writer = new TransactionalWriter(() -> {
      Producer<String, byte[]> real = k.clients().transactionalProducer(txId);
      @SuppressWarnings("unchecked")
      Producer<String, byte[]> wrapped = (Producer<String, byte[]>) Proxy.newProxyInstance(
          Producer.class.getClassLoader(), new Class<?>[] {Producer.class}, (proxy, m, args) -> {
            boolean commit = m.getName().equals("commitTransaction");
            int seen = commit ? commitsSeen.getAndIncrement() : -1;
            if (seen == 1) {
              // Asked again after a timeout, Kafka's producer answers with the pending commit's outcome.
              return null;
            }
            Object out;
            try {
              out = m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (seen == 0) {
              // the broker committed; the client's wait for EndTxn ran past max.block.ms
              throw new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)");
            }
            return out;
          });
      return wrapped;
    }, txId, p + ".state", p + ".sessions", p + ".events", p + ".control", p + ".schedules", p + ".queues");
    writer.init();
    Journal journal = Journal.durable(Duration.ofSeconds(20));
    CommitChanges commits = new CommitChanges(journal, writer);
    commits.attach(() -> { });
    journal.atomically(() -> {
      journal.put(Journal.Kind.STATE, "w-1", "completed".getBytes(StandardCharsets.UTF_8));
      journal.put(Journal.Kind.EVENT, "w-1", "work_complete".getBytes(StandardCharsets.UTF_8));
      return null;
    });
    long cut = commits.handOff(null);
    assertTrue(commits.awaitCommitted(cut, Duration.ofSeconds(20)));
    commits.close(Duration.ofSeconds(5), new IllegalStateException("over"));
    List<String> events = committedValues(k, p + ".events");
    assertEquals(List.of("work_complete"), events, "one terminal event on the events topic");
    assertEquals(List.of("completed"), committedValues(k, p + ".state"), "one state record");
    assertEquals(2, commitsSeen.get(), "the commit was asked again");
  }

  /**
   * Every committed value of {@code topic}, read (read_committed) up to its end: the writer is closed,
   * so a second commit of the same changes would be there by now.
   */
  private static List<String> committedValues(TestKafka k, String topic) {
    List<String> out = new ArrayList<>();
    try (Consumer<String, byte[]> c = k.clients().consumer(null, Map.of())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long endOffset = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (c.position(tp, Duration.ofSeconds(10)) < endOffset) {
        assertTrue(System.nanoTime() < deadline, topic + " not read to its end offset " + endOffset);
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
