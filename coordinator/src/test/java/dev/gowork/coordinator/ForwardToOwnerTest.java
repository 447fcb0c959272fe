package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.auth.WorkerState;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.testing.TestWorker;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coordinators on one prefix (real broker): an operator's cancel, queue cancel, requeue,
 * dead-letter delete and revoke sent to the coordinator that does not own the item (or worker) are
 * done by the one that does, once, and answered as if it were alone; a request on the results topic
 * that is not signed with the shared secret, or is replayed outside the window, changes nothing. One
 * test, so the two coordinators start once.
 */
@ExtendWith(KafkaExtension.class)
class ForwardToOwnerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** What the service takes from GOWORK_API_TOKEN: every coordinator has it, workers do not. */
  private static final String OPERATOR_KEY = "operator-key-0123456789";
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Topics topics;
  private WorkServer a;
  private WorkServer b;

  private WorkServer coordinator(TestKafka k, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(ServerFixture.fastRebalancing(k))
        .topics(topics).clock(clock).nanoTime(clock::nanoTime).shareGroupSettings(ServerFixture.FAST_GROUP)
        .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).commitInterval(Duration.ofMillis(20))
        .instanceId(instanceId).operatorKey(OPERATOR_KEY).build();
    open.add(s);
    return s.start();
  }

  private void startTwo(TestKafka k) {
    topics = Topics.of(k.topicPrefix());
    a = coordinator(k, "a");
    b = coordinator(k, "b");
    SplitPartitions.await(a, b, WAIT);
  }

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Work added through {@code a} that {@code b} owns. */
  private Work ownedByB(Object data, long timeoutSeconds, Predicate<Work> more) {
    while (true) {
      Work w = a.createWork(data, timeoutSeconds);
      if (b.ownedPartitions().contains(Ownership.partitionOf(w.id(), 6)) && more.test(w)) {
        return w;
      }
    }
  }

  private Work deadOnB(TestWorker worker) {
    Work w = ownedByB("doomed", 600, x -> true).withMaxAttempts(2);
    a.add(w);
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "first");
    Poll.until(() -> b.status(w.id()).map(s -> s.state() == WorkState.RETRY_WAIT).orElse(false), WAIT, "a retry");
    clock.advance(Duration.ofSeconds(1));
    worker.send(worker.take(WAIT), ResultStatus.FAILED, null, "second");
    Poll.until(() -> a.status(w.id()).map(s -> s.state() == WorkState.DEAD).orElse(false), WAIT,
        "the dead letter to show on a");
    return w;
  }

  @Test
  void theCoordinatorThatDoesNotOwnAnItemOrWorkerHasItsOwnerDoWhatTheOperatorAsked(TestKafka k) {
    startTwo(k);
    Registration reg = b.workers().register();
    Session session = b.workers().verify(reg.workerId(),
        Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(), reg.challenge()));
    TestWorker worker = new TestWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, session.workerId(),
        session.sessionKey(), clock);
    open.add(worker);

    // Two requests not to be obeyed, then a cancel through a: b reads all three in order from the item's
    // partition, so when the cancel shows, the two were refused.
    Work waiting = ownedByB("nobody takes this", 600, x -> true).withQueue("unserved");
    a.add(waiting);
    Poll.until(() -> b.status(waiting.id()).isPresent(), WAIT, "b to know the work");
    byte[] forged = ("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\",\"id\":\"" + waiting.id()
        + "\",\"reason\":\"forged\",\"from\":\"mallory\"}").getBytes(StandardCharsets.UTF_8);
    long late = clock.millis() - Duration.ofMinutes(10).toMillis();
    try (Producer<String, byte[]> p = k.clients().producer()) {
      // Signed with the shared secret, which every worker holds: not enough to command a coordinator.
      p.send(request(waiting.id(), forged, clock.millis(), Signatures.signRequest(
          "test-secret-test-secret-test-secret!".getBytes(StandardCharsets.UTF_8), clock.millis(), forged)));
      p.send(request(waiting.id(), forged, late, Signatures.signRequest(OPERATOR_KEY.getBytes(StandardCharsets.UTF_8), late, forged)));
      p.flush();
    }
    var mirroredEnd = a.whenFinished(waiting.id(), WAIT);
    WorkStatus cancelled = a.cancel(waiting.id(), "changed my mind");
    assertEquals(WorkState.CANCELLED, mirroredEnd.join().orElseThrow().state(), "a waiter on a, b's decision");
    assertEquals(WorkState.CANCELLED, cancelled.state());
    assertTrue(cancelled.error().contains("changed my mind"), cancelled.error());
    assertEquals(WorkState.CANCELLED, b.status(waiting.id()).orElseThrow().state());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class,
        () -> a.cancel(waiting.id(), null)).code(), "cancelled already: refused at once, as by its owner");

    // Requeue of a dead letter: b publishes attempt 3, which completes.
    Work doomed = deadOnB(worker);
    a.requeue(doomed.id());
    WorkEnvelope third = worker.take(WAIT);
    assertEquals(3, third.attempt());
    worker.send(third, ResultStatus.COMPLETED, "finally", null);
    Poll.until(() -> a.status(doomed.id()).map(s -> s.state() == WorkState.COMPLETED).orElse(false), WAIT,
        "the requeued work to complete");
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> a.requeue(doomed.id())).code());

    // Delete of a dead letter: gone on both.
    Work deleted = deadOnB(worker);
    a.deleteDead(deleted.id());
    assertTrue(a.status(deleted.id()).isEmpty());
    Poll.until(() -> b.status(deleted.id()).isEmpty(), WAIT, "b to forget the deleted dead letter");

    // A whole queue: a cancels its own items and sends b's to b.
    List<String> bulk = new ArrayList<>();
    Set<Boolean> owners = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      Work w = a.createWork(i, 600).withQueue("bulk");
      a.add(w);
      bulk.add(w.id());
      owners.add(b.ownedPartitions().contains(Ownership.partitionOf(w.id(), 6)));
    }
    WorkServer.QueueCancellation c = a.cancelQueue("bulk", "campaign stopped");
    assertEquals(12, c.cancelled() + c.forwarded());
    assertEquals(owners.size() == 2 || owners.contains(true), c.forwarded() > 0);
    for (WorkServer s : List.of(a, b)) {
      Poll.until(() -> bulk.stream().allMatch(id -> s.status(id).map(st -> st.state() == WorkState.CANCELLED)
          .orElse(false)), WAIT, "every item of the queue cancelled, as seen by each coordinator");
    }

    // Revoke of a worker b decides about, through a.
    Registration other;
    do {
      other = a.workers().register();
    } while (!b.ownedPartitions().contains(Ownership.partitionOf(other.workerId(), 6)));
    String revoked = a.workers().verify(other.workerId(),
        Signatures.verifyResponse(ServerFixture.SECRET, other.workerId(), other.challenge())).workerId();
    Poll.until(() -> workerState(b, revoked) == WorkerState.ACTIVE, WAIT, "b to mirror the session a opened");
    a.workers().revoke(revoked);
    assertEquals(WorkerState.REVOKED, workerState(b, revoked));
    assertEquals(WorkerState.REVOKED, workerState(a, revoked));

    // Each was done once, by its owner.
    Poll.until(() -> EventsTopic.readAll(k.clients(), topics.events()).stream()
        .anyMatch(e -> e.type() == EventType.WORKER_EXPIRED && revoked.equals(e.workerId())), WAIT,
        "the revocation's event");
    List<Event> events = EventsTopic.readAll(k.clients(), topics.events());
    assertEquals(1, count(events, EventType.WORK_CANCELLED, waiting.id()));
    List<String> refused = events.stream().filter(e -> e.type() == EventType.RECORD_REJECTED).map(Event::error).toList();
    assertEquals(2, refused.size(), refused.toString());
    assertTrue(refused.get(0).contains("forwarded request refused: bad signature"), refused.get(0));
    assertTrue(refused.get(1).endsWith("forwarded request refused: timestamp outside the accepted window"),
        refused.get(1));
    assertEquals(1, count(events, EventType.WORK_COMPLETE, doomed.id()));
    for (String id : bulk) {
      assertEquals(1, count(events, EventType.WORK_CANCELLED, id), id);
    }
    assertEquals(1, events.stream().filter(e -> e.type() == EventType.WORKER_EXPIRED && revoked.equals(e.workerId()))
        .count());
  }

  /**
   * A forwarded cancel or revoke that the owner reads before its mirror holds the item (or the
   * worker's session) is applied once the mirror catches up, not dropped: the non-owner forwards what
   * its own table holds, e.g. work it just added, so the owner's state follower may still be behind
   * its results consumer. Here the requests are committed strictly before the item and the session
   * exist, which makes that interleaving certain.
   */
  @Test
  void aForwardedRequestReadBeforeTheOwnerMirrorsItsSubjectWaitsForItInsteadOfBeingDropped(TestKafka k) {
    startTwo(k);
    Work w = ownedByB("nobody takes this", 600, x -> true).withQueue("unserved");
    Registration reg;
    do {
      reg = a.workers().register();
    } while (!b.ownedPartitions().contains(Ownership.partitionOf(reg.workerId(), 6)));

    // What a sends for a.cancel(w) and a.workers().revoke(worker), committed before b can know either.
    long now = clock.millis();
    try (Producer<String, byte[]> p = k.clients().producer()) {
      byte[] cancel = ("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\",\"id\":\"" + w.id()
          + "\",\"reason\":\"changed my mind\",\"from\":\"a\"}").getBytes(StandardCharsets.UTF_8);
      byte[] revoke = ("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"revoke\",\"id\":\"" + reg.workerId()
          + "\",\"from\":\"a\"}").getBytes(StandardCharsets.UTF_8);
      p.send(request(w.id(), cancel, now, Signatures.signRequest(OPERATOR_KEY.getBytes(StandardCharsets.UTF_8), now, cancel)));
      p.send(request(reg.workerId(), revoke, now,
          Signatures.signRequest(OPERATOR_KEY.getBytes(StandardCharsets.UTF_8), now, revoke)));
      p.flush();
    }
    a.add(w);
    a.workers().verify(reg.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(), reg.challenge()));

    String workerId = reg.workerId();
    Poll.until(() -> b.status(w.id()).map(s -> s.state() == WorkState.CANCELLED).orElse(false), WAIT,
        "b to cancel the work once it knows it");
    Poll.until(() -> workerState(b, workerId) == WorkerState.REVOKED, WAIT, "b to revoke the worker once it knows it");
  }

  private ProducerRecord<String, byte[]> request(String key, byte[] value, long ts, String signature) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.results(), key, value);
    r.headers().add(OwnerRequests.HEADER, "v1".getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.TIMESTAMP, Long.toString(ts).getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.SIGNATURE, signature.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  private static WorkerState workerState(WorkServer s, String workerId) {
    return s.workers().list().stream().filter(w -> w.workerId().equals(workerId)).map(w -> w.state()).findFirst()
        .orElse(null);
  }

  private static long count(List<Event> events, EventType type, String workId) {
    return events.stream().filter(e -> e.type() == type && workId.equals(e.workId())).count();
  }
}
