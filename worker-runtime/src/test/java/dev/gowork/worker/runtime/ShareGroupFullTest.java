package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.SkippingClock;
import dev.gowork.worker.testing.Works;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A queue's share group holds at most the brokers' {@code group.share.max.size} members, and each slot
 * of each replica is one: a broker of this test's own allows 2. Before, a slot the group refused stayed
 * with a dead consumer, silently: the replica said it was ready with all its slots and never took work
 * with that one, even once the group had room again.
 */
@Timeout(180)
class ShareGroupFullTest {
  private static TestKafka.Own own;

  @BeforeAll
  static void startBroker() {
    own = TestKafka.ownBroker(Map.of("group.share.max.size", "2"));
  }

  @AfterAll
  static void stopBroker() {
    if (own != null) {
      own.close();
    }
  }

  @Test
  void aReplicaWithMoreSlotsThanTheGroupHoldsRunsWithThoseItGotAndSaysSo() throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(own.newTest()); ResultsReader results = f.results()) {
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkHandler counting = (data, ctx) -> {
        runs.computeIfAbsent(ctx.workId(), k -> new AtomicInteger()).incrementAndGet();
        return data;
      };
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      WorkerRuntime r = f.start(f.settings(3), counting, meters);
      RuntimeFixture.awaitTrue("one slot refused", () -> r.refusedSlots() == 1, Duration.ofSeconds(60));

      for (int i = 0; i < 6; i++) {
        f.send(f.work(Works.data().put("i", i), Duration.ofMinutes(2)));
      }
      results.await("6 results", all -> all.size() >= 6, Duration.ofSeconds(60));
      List<ResultsReader.Result> all = results.drain(Duration.ofMillis(300));
      assertEquals(6, all.size());
      all.forEach(res -> assertEquals(ResultStatus.COMPLETED, res.envelope().status()));
      runs.forEach((id, n) -> assertEquals(1, n.get(), "runs of " + id));

      Health h = r.health();
      assertTrue(h.ready(), h.toString());
      assertTrue(h.reason().startsWith("ok, with 2 of 3 slots"), h.reason());
      assertEquals(1.0, meters.get("gowork.worker.slots.refused").gauge().value());
    }
  }

  @Test
  void aReplicaRefusedEverySlotIsNotReadyThenJoinsOnceTheGroupHasRoom() throws Exception {
    TestKafka kafka = own.newTest();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results();
        Admin admin = kafka.clients().admin()) {
      String group = Topics.of(kafka.topicPrefix()).shareGroup(RuntimeFixture.QUEUE);
      WorkerRuntime first = f.start(f.settings(2), (data, ctx) -> data);
      RuntimeFixture.awaitTrue("the first replica's 2 slots in the group", () -> members(admin, group) == 2,
          Duration.ofSeconds(60));

      WorkerRuntime second = WorkerRuntime.builder(f.settings(1).workerName("second").build())
          .handler((data, ctx) -> data).rejoinEvery(Duration.ofSeconds(1)).start();
      f.adopt(second);
      RuntimeFixture.awaitTrue("the second replica refused", () -> !second.health().ready()
          && second.health().reason().contains("share group is full"), Duration.ofSeconds(60));

      first.close();
      RuntimeFixture.awaitTrue("the second replica in the group", () -> second.health().ready(),
          Duration.ofSeconds(60));
      assertEquals("ok", second.health().reason());
      WorkEnvelope w = f.work(Works.data().put("after", true), Duration.ofMinutes(2));
      f.send(w);
      results.await("its result", all -> all.stream().anyMatch(res -> res.envelope().workId().equals(w.workId())),
          Duration.ofSeconds(60));
      assertEquals(1, second.counters().processed());
      assertFalse(second.refusedSlots() > 0);
    }
  }

  /**
   * A slot trying to join again when the queue is paused takes no work, so its lane is closed as a
   * parked one would be; the group never answered that attempt. It used to be counted in all the same
   * once 10 s had passed: while paused, the replica logged that it had joined, said it was ready with
   * every slot, and its gauge said 0; at the resume the slot was refused again, and warned as new.
   */
  @Test
  void aSlotTryingAgainWhenTheQueueIsPausedIsNotCountedInByTimeAlone() throws Exception {
    TestKafka kafka = own.newTest();
    SkippingClock clock = new SkippingClock();
    HeldRetries retries = new HeldRetries();
    try (RuntimeFixture f = new RuntimeFixture(kafka); Admin admin = kafka.clients().admin();
        Producer<String, byte[]> producer = kafka.clients().producer()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1),
          TopicSpec.compacted(f.topics.queues(), 1, 1)));
      String group = Topics.of(kafka.topicPrefix()).shareGroup(RuntimeFixture.QUEUE);
      f.start(f.settings(2), (data, ctx) -> data);
      RuntimeFixture.awaitTrue("the first replica's 2 slots in the group", () -> members(admin, group) == 2,
          Duration.ofSeconds(60));
      WorkerRuntime second = WorkerRuntime.builder(f.settings(1).workerName("second").build())
          .handler((data, ctx) -> data).rejoinEvery(Duration.ofSeconds(1)).clock(clock).nanoTime(clock::nanoTime)
          .wrapConsumers(retries::wrap).start();
      f.adopt(second);
      RuntimeFixture.awaitTrue("the second replica's slot refused, then trying again",
          () -> second.refusedSlots() == 1 && retries.opened.get() >= 2, Duration.ofSeconds(60));

      pauseQueue(producer, f, true);
      RuntimeFixture.awaitTrue("the trying slot's consumer closed for the pause", () -> retries.retryClosed,
          Duration.ofSeconds(30));
      for (int i = 0; i < 2; i++) { // the second turn begins after the first one, past the 10 s, has ended
        clock.advance(Health.STALL_LIMIT.plusMinutes(1));
        RuntimeFixture.awaitTrue("the loop turned", () -> !second.health().reason().contains("has not turned"),
            Duration.ofSeconds(30));
      }
      assertEquals(1, second.refusedSlots(), "the paused retry never got an answer from the group");
      assertFalse(second.health().ready(), second.health().toString());

      retries.holding = false;
      pauseQueue(producer, f, false);
      RuntimeFixture.awaitTrue("the slot trying again once the queue is resumed", () -> retries.opened.get() >= 3,
          Duration.ofSeconds(30));
    }
  }

  /** Holds back the polls of a replica's consumers after its first, while told to: a retry gets no answer. */
  private static final class HeldRetries {
    final AtomicInteger opened = new AtomicInteger();
    volatile boolean holding = true;
    volatile boolean retryClosed;

    @SuppressWarnings("unchecked")
    ShareConsumer<String, byte[]> wrap(ShareConsumer<String, byte[]> real) {
      int n = opened.incrementAndGet();
      return (ShareConsumer<String, byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(),
          new Class<?>[] {ShareConsumer.class}, (proxy, method, args) -> {
            if (n == 2 && holding && method.getName().equals("poll")) {
              return ConsumerRecords.empty();
            }
            if (n == 2 && method.getName().equals("close")) {
              retryClosed = true;
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }

  /** Writes the coordinator's record of {@code <p>.queues}, as {@code WorkServer.pauseQueue} does. */
  private static void pauseQueue(Producer<String, byte[]> producer, RuntimeFixture f, boolean paused)
      throws Exception {
    byte[] value = new QueueNotice(RuntimeFixture.QUEUE, paused, Instant.now(), "test").encode(WireCodec.defaults());
    producer.send(new ProducerRecord<>(f.topics.queues(), RuntimeFixture.QUEUE, value)).get();
  }

  private static int members(Admin admin, String group) {
    try {
      return admin.describeShareGroups(List.of(group)).describedGroups().get(group).get().members().size();
    } catch (Exception e) {
      return -1;
    }
  }
}
