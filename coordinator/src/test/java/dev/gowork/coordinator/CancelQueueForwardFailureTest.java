package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A queue cancel on a coordinator whose cancels for the other coordinator's items Kafka refuses (real
 * broker: the results topic, which carries them, is made to refuse records over 64 bytes).
 */
@ExtendWith(KafkaExtension.class)
class CancelQueueForwardFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Topics topics;

  private WorkServer coordinator(TestKafka k, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(ServerFixture.fastRebalancing(k))
        .topics(topics).clock(clock).nanoTime(clock::nanoTime).shareGroupSettings(ServerFixture.FAST_GROUP)
        .sendTimeout(Duration.ofSeconds(10))
        .instanceId(instanceId).operatorKey("operator-key-0123456789").build();
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /**
   * Before, the call failed with the producer's error alone ("could not be written to Kafka"), after it
   * had cancelled some items, and the caller could not tell that it had, nor what to do.
   */
  @Test
  void itCancelsWhatItOwnsAndSaysHowManyItemsOfOtherCoordinatorsItCouldNotSendThem(TestKafka k) throws Exception {
    topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, "a");
    WorkServer b = coordinator(k, "b");
    SplitPartitions.await(a, b, WAIT);
    List<Work> ownA = new ArrayList<>();
    List<Work> ownB = new ArrayList<>();
    while (ownA.size() < 2 || ownB.size() < 2) {
      Work w = a.createWork("x", 600).withQueue("bulk");
      (a.ownedPartitions().contains(Ownership.partitionOf(w.id(), 6)) ? ownA : ownB).add(w);
    }
    a.addAll(ownA);
    a.addAll(ownB);

    try (Admin admin = k.clients().admin(); Producer<String, byte[]> probe = k.clients().producer()) {
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.results()),
          List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "64"), AlterConfigOp.OpType.SET))))
          .all().get();
      Poll.until(() -> {
        try {
          probe.send(new ProducerRecord<>(topics.results(), "probe", new byte[200])).get();
          return false;
        } catch (ExecutionException e) {
          return e.getCause() instanceof RecordTooLargeException;
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, WAIT, "the results topic to refuse large records");
    }

    GoWorkException refused = assertThrows(GoWorkException.class, () -> a.cancelQueue("bulk", "stop"));
    assertEquals(ErrorCode.UNAVAILABLE, refused.code());
    String m = refused.getMessage();
    assertTrue(m.contains("cancelled the " + ownA.size() + " unfinished items this coordinator owns and sent 0"), m);
    assertTrue(m.contains(ownB.size() + " items other coordinators own could not be sent"), m);
    assertTrue(m.contains("RecordTooLargeException") && m.contains("cancel the queue again"), m);
    for (Work w : ownA) {
      assertEquals(WorkState.CANCELLED, a.status(w.id()).orElseThrow().state());
      Poll.until(() -> b.status(w.id()).map(s -> s.state() == WorkState.CANCELLED).orElse(false), WAIT,
          "the cancel of " + w.id() + " committed");
    }
    for (Work w : ownB) {
      Poll.until(() -> b.status(w.id()).isPresent(), WAIT, "b to know " + w.id());
      assertEquals(WorkState.QUEUED, b.status(w.id()).orElseThrow().state());
    }
  }
}
