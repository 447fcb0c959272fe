package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.kafka.KafkaClients;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A transaction whose producer epoch the broker moved on while it was open (real broker). Kafka reports
 * both causes with {@code InvalidProducerEpochException} from the partition leader, an abortable error:
 * the transaction coordinator aborted it because it outlived {@code transaction.timeout.ms} (a stall),
 * after which the writer aborts and commits the same changes again; or another producer took the
 * transactional id, which the abort then reports as {@code ProducerFencedException}, and the writer
 * stops for good.
 *
 * <p>Found with it (2026-12-06): the writer took every stale epoch for fencing, so a coordinator whose
 * commit stalled past the transaction timeout (a network partition from the broker, a long pause)
 * stopped committing and waited for a restart.
 */
@ExtendWith(KafkaExtension.class)
class StaleProducerEpochTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> open = new ArrayList<>();
  private TestKafka kafka;
  private String prefix;
  private String txId;
  private Admin admin;
  /** How many aborts of the writer's producers go unanswered in time (a TimeoutException) before one is sent. */
  private final AtomicInteger abortsUnanswered = new AtomicInteger();

  @BeforeEach
  void setUp(TestKafka k) throws Exception {
    kafka = k;
    prefix = k.topicPrefix();
    txId = prefix + ".coordinator-0";
    admin = k.clients().admin();
    open.add(admin);
    admin.createTopics(List.of(new NewTopic(prefix + ".state", 1, (short) 1),
        new NewTopic(prefix + ".sessions", 1, (short) 1), new NewTopic(prefix + ".events", 1, (short) 1)))
        .all().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void aTransactionTheBrokerTimedOutIsWrittenAgainNotTakenForFencing() throws Exception {
    KafkaClients oneSecond = new KafkaClients(kafka.bootstrapServers(), Map.of("transaction.timeout.ms", "1000"));
    TransactionalWriter writer = writer(oneSecond, () -> Poll.until(this::aborted, WAIT,
        "the broker to abort the transaction that outlived its timeout"));
    List<Journal.Entry> changes = changes();

    assertFalse(writer.commit(changes, Map.of(), null), "the transaction the broker aborted did not commit");
    assertTrue(writer.commit(changes, Map.of(), null), "the same changes committed in the next transaction");
    writer.close();
    assertEquals(List.of("completed"), committed(prefix + ".state"));
    assertEquals(List.of("work_complete"), committed(prefix + ".events"));
  }

  /**
   * Found 2026-12-07: the abort that tells a broker-aborted transaction from a takeover took an abort
   * unanswered within {@code max.block.ms} (Kafka away for a moment) for a fence, so the coordinator
   * stopped for good, and {@code gowork coordinator} exited 3 saying another coordinator took its id.
   */
  @Test
  void aTransactionTheBrokerTimedOutWhoseAbortGoesUnansweredOnceIsWrittenAgainNotTakenForFencing() throws Exception {
    KafkaClients oneSecond = new KafkaClients(kafka.bootstrapServers(), Map.of("transaction.timeout.ms", "1000"));
    TransactionalWriter writer = writer(oneSecond, () -> Poll.until(this::aborted, WAIT,
        "the broker to abort the transaction that outlived its timeout"));
    abortsUnanswered.set(1);
    List<Journal.Entry> changes = changes();

    assertFalse(writer.commit(changes, Map.of(), null), "the transaction the broker aborted did not commit");
    assertEquals(0, abortsUnanswered.get(), "the abort went unanswered once");
    assertTrue(writer.commit(changes, Map.of(), null), "the same changes committed in the next transaction");
    writer.close();
    assertEquals(List.of("completed"), committed(prefix + ".state"));
    assertEquals(List.of("work_complete"), committed(prefix + ".events"));
  }

  @Test
  void aWriterWhoseTransactionalIdAnotherProducerTookStopsForGood() throws Exception {
    TransactionalWriter writer = writer(kafka.clients(), () -> {
      Producer<String, byte[]> successor = kafka.clients().transactionalProducer(txId);
      open.add(successor);
      successor.initTransactions();
    });

    assertThrows(TransactionalWriter.Fenced.class, () -> writer.commit(changes(), Map.of(), null));
    writer.close();
    assertEquals(List.of(), committed(prefix + ".state"));
    assertEquals(List.of(), committed(prefix + ".events"));
  }

  /** A state record and its event, as one journal unit. */
  private static List<Journal.Entry> changes() {
    return List.of(
        new Journal.Entry(Journal.Kind.STATE, "w-1", "completed".getBytes(StandardCharsets.UTF_8), null, null, null),
        new Journal.Entry(Journal.Kind.EVENT, "w-1", "work_complete".getBytes(StandardCharsets.UTF_8), null, null,
            null));
  }

  /**
   * A writer whose first transaction runs {@code meanwhile} after it sent the state record and before
   * it sends the event (a partition new to the transaction).
   */
  private TransactionalWriter writer(KafkaClients clients, Runnable meanwhile) {
    AtomicBoolean first = new AtomicBoolean(true);
    TransactionalWriter writer = new TransactionalWriter(() -> {
      Producer<String, byte[]> real = clients.transactionalProducer(txId);
      @SuppressWarnings("unchecked")
      Producer<String, byte[]> wrapped = (Producer<String, byte[]>) Proxy.newProxyInstance(
          Producer.class.getClassLoader(), new Class<?>[] {Producer.class}, (proxy, m, args) -> {
            if (m.getName().equals("send") && ((ProducerRecord<?, ?>) args[0]).topic().endsWith(".events")
                && first.getAndSet(false)) {
              meanwhile.run();
            }
            if (m.getName().equals("abortTransaction") && abortsUnanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
              throw new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(false)");
            }
            try {
              return m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      return wrapped;
    }, txId, prefix + ".state", prefix + ".sessions", prefix + ".events", prefix + ".control",
        prefix + ".schedules", prefix + ".queues");
    writer.init();
    return writer;
  }

  /** True once the broker ended the open transaction of {@code txId} without its producer. */
  private boolean aborted() {
    try {
      TransactionState s = admin.describeTransactions(List.of(txId)).description(txId).get(10, TimeUnit.SECONDS)
          .state();
      return s == TransactionState.PREPARE_ABORT || s == TransactionState.COMPLETE_ABORT;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The values committed to {@code topic}'s one partition (read_committed, to its end). */
  private List<String> committed(String topic) {
    List<String> out = new ArrayList<>();
    try (Consumer<String, byte[]> c = kafka.clients().consumer(null, Map.of())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp), WAIT).get(tp);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (c.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
