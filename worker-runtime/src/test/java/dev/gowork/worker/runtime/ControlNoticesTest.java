package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.wire.CancelNotice;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.RevokeNotice;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the coordinator tells replicas on {@code <p>.control}: cancelled work is not run when it arrives
 * later and is stopped while it runs, with no result either way; a revoked session is replaced at once.
 * And on {@code <p>.queues}: a paused queue's work waits until it is resumed.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ControlNoticesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void cancelledWorkIsNotRunAndRunningWorkIsStoppedWithNoResultWritten(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results();
        Producer<String, byte[]> producer = kafka.clients().producer()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1)));
      }
      Map<String, String> seen = new ConcurrentHashMap<>();
      Set<String> started = ConcurrentHashMap.newKeySet();
      WorkHandler handler = (data, ctx) -> {
        started.add(ctx.workId());
        switch (data.asText()) {
          case "cooperative" -> {
            while (!ctx.isCancelled()) {
              Thread.sleep(10);
            }
            seen.put(ctx.workId(), "told to stop");
          }
          case "stubborn" -> {
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              seen.put(ctx.workId(), "interrupted");
              throw e;
            }
          }
          default -> { }
        }
        return TextNode.valueOf("done");
      };
      WorkEnvelope before = work(f, "quick");
      cancel(producer, f, before);   // cancelled while no replica ran: read at start
      WorkerRuntime replica = f.start(f.settings(1), handler);
      f.send(before);

      WorkEnvelope cooperative = work(f, "cooperative");
      f.send(cooperative);
      RuntimeFixture.awaitTrue("the cooperative handler started", () -> started.contains(cooperative.workId()), WAIT);
      cancel(producer, f, cooperative);
      RuntimeFixture.awaitTrue("the cooperative handler told to stop", () -> seen.size() == 1, WAIT);
      WorkEnvelope stubborn = work(f, "stubborn");
      f.send(stubborn);
      RuntimeFixture.awaitTrue("the stubborn handler started", () -> started.contains(stubborn.workId()), WAIT);
      cancel(producer, f, stubborn);
      RuntimeFixture.awaitTrue("the stubborn handler interrupted", () -> seen.size() == 2, WAIT);
      assertEquals(Map.of(cooperative.workId(), "told to stop", stubborn.workId(), "interrupted"), seen);

      WorkEnvelope after = work(f, "quick");
      f.send(after);
      results.await("the result of the uncancelled item",
          r -> r.stream().anyMatch(x -> x.envelope().status() != ResultStatus.RUNNING), WAIT);
      RuntimeFixture.awaitTrue("every cancelled record settled", () -> replica.counters().cancelled() == 3, WAIT);
      List<ResultsReader.Result> written = results.drain(Duration.ofMillis(300));
      List<String> outcomes = written.stream().filter(x -> x.envelope().status() != ResultStatus.RUNNING)
          .map(x -> x.envelope().workId() + " " + x.envelope().status().wireName()).toList();
      assertEquals(List.of(after.workId() + " completed"), outcomes, "no result for cancelled work");
      assertFalse(started.contains(before.workId()), "work cancelled before it arrived never ran");
      Counters c = replica.counters();
      assertEquals(1, c.processed(), c.toString());
      assertEquals(0, c.released(), "ACCEPTed, not handed back for another delivery: " + c);
      assertEquals(0, c.inFlight(), c.toString());
      assertTrue(c.failed() == 0 && c.timedOut() == 0, c.toString());
    }
  }

  @Test
  void aReplicaWhoseSessionWasRevokedAuthenticatesAgainAtOnce(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); Producer<String, byte[]> producer = kafka.clients().producer()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1)));
      }
      WorkerRuntime replica = f.start(f.settings(1), (data, ctx) -> data);
      String first = replica.workerId();
      int registrations = f.coordinator.registrations();
      revoke(producer, f, "w-someone-else");
      revoke(producer, f, first);
      RuntimeFixture.awaitTrue("a new session after the revocation", () -> !replica.workerId().equals(first), WAIT);
      assertEquals(registrations + 1, f.coordinator.registrations(), "only its own revocation made it verify again");
    }
  }

  @Test
  void aPausedQueueGetsNoNewWorkUntilItIsResumed(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); Producer<String, byte[]> producer = kafka.clients().producer()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1),
            TopicSpec.compacted(f.topics.queues(), 1, 1)));
      }
      Set<String> started = ConcurrentHashMap.newKeySet();
      WorkerRuntime replica = f.start(f.settings(1), (data, ctx) -> {
        started.add(ctx.workId());
        return data;
      });
      WorkEnvelope first = work(f, "quick");
      f.send(first);
      RuntimeFixture.awaitTrue("the replica taking work", () -> started.contains(first.workId()), WAIT);
      pause(producer, f, first.queue(), true);
      Thread.sleep(500); // the replica reads the notice within milliseconds
      WorkEnvelope waiting = work(f, "quick");
      f.send(waiting);
      Thread.sleep(1_500); // a replica that takes work polls every 5 ms: it would have taken it by now
      assertFalse(started.contains(waiting.workId()), "a paused queue's work is not taken");
      pause(producer, f, waiting.queue(), false);
      RuntimeFixture.awaitTrue("the work taken once the queue is resumed", () -> started.contains(waiting.workId()),
          WAIT);
      assertEquals(0, replica.counters().released(), replica.counters().toString());
    }
  }

  /**
   * Work added while the queue is paused must not be acquired by a lane that is not polled: its lock
   * would run out unseen (counting a delivery), and the record still buffered in that lane's consumer
   * would be run on resume as well as by the lane that acquired it next.
   */
  @Test
  void workAddedWhilePausedIsRunOnceAtItsFirstDeliveryAfterResume(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka); Producer<String, byte[]> producer = kafka.clients().producer()) {
      try (Admin admin = kafka.clients().admin()) {
        new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(f.topics.control(), 1, 1),
            TopicSpec.compacted(f.topics.queues(), 1, 1)));
      }
      List<String> starts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      // A 2 s lock (RuntimeFixture's is 5 s), so waiting past it while paused takes 3 s instead of 8.
      WorkerRuntime replica = f.start(f.settings(2).lockDuration(Duration.ofSeconds(2)), (data, ctx) -> {
        starts.add(ctx.workId() + "#" + ctx.attempt());
        return data;
      });
      WorkEnvelope first = work(f, "quick");
      f.send(first);
      RuntimeFixture.awaitTrue("the replica taking work", () -> starts.contains(first.workId() + "#1"), WAIT);
      pause(producer, f, first.queue(), true);
      // Both slots' consumers closed before the work is sent: one still open could fetch it ahead and,
      // closing, release it, which the broker counts as a delivery (it would then run as attempt 2).
      RuntimeFixture.awaitTrue("both slots parked", () -> replica.parkedSlots() == 2, WAIT);
      WorkEnvelope waiting = work(f, "quick");
      f.send(waiting);
      Thread.sleep(3_000); // longer than the 2 s lock set above
      assertEquals(List.of(first.workId() + "#1"), starts, "nothing runs while paused");
      pause(producer, f, waiting.queue(), false);
      RuntimeFixture.awaitTrue("the work taken once the queue is resumed",
          () -> starts.stream().anyMatch(s -> s.startsWith(waiting.workId())), WAIT);
      Thread.sleep(2_000); // a stale copy buffered by another lane would run at the resume; this is a whole lock
      assertEquals(List.of(first.workId() + "#1", waiting.workId() + "#1"), starts, replica.counters().toString());
    }
  }

  /** Writes the coordinator's record of {@code <p>.queues}, as {@code WorkServer.pauseQueue} does. */
  private static void pause(Producer<String, byte[]> producer, RuntimeFixture f, String queue, boolean paused)
      throws Exception {
    byte[] value = new QueueNotice(queue, paused, Instant.now(), "test").encode(WireCodec.defaults());
    producer.send(new ProducerRecord<>(f.topics.queues(), queue, value)).get();
  }

  private static void revoke(Producer<String, byte[]> producer, RuntimeFixture f, String workerId) throws Exception {
    byte[] value = new RevokeNotice(workerId, Instant.now()).encode(WireCodec.defaults());
    producer.send(new ProducerRecord<>(f.topics.control(), workerId, value)).get();
  }

  private static WorkEnvelope work(RuntimeFixture f, String kind) {
    return f.work(TextNode.valueOf(kind), Duration.ofMinutes(2));
  }

  /** Writes the coordinator's notice for {@code w}, as {@code WorkTable.cancel} does. */
  static void cancel(Producer<String, byte[]> producer, RuntimeFixture f, WorkEnvelope w) throws Exception {
    byte[] value = new CancelNotice(w.workId(), w.queue(), w.attempt(), w.deadline(), Instant.now(), "test")
        .encode(WireCodec.defaults());
    producer.send(new ProducerRecord<>(f.topics.control(), w.workId(), value)).get();
  }
}
