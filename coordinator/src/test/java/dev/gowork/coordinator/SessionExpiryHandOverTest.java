package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.state.TransactionalWriter;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Ownership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a coordinator decides about a worker session while the session's results partition moves to
 * another coordinator (real broker): the old owner's decision and its record are one journal unit, so
 * either it is committed before the new owner reads the sessions, or it is not made. A session that
 * expires or is revoked then ends once; an ended one forgotten then is not deleted by the old owner after
 * the hand-over.
 *
 * <p>Found with it (2026-12-06): the ownership check ran before the unit, so a thread that passed it
 * just before the partition moved wrote {@code worker_expired} after the hand-over, and the new owner,
 * which had read the session as open, ended it too: two {@code worker_expired} events per moved session.
 * The tombstone of an ended session the registry forgets had the same gap: the old owner deleted the
 * records of moved sessions after the new owner had taken them over. A revocation checked no ownership
 * at all, so every coordinator it was asked of ended the session and fired {@code worker_expired}.
 */
@ExtendWith(KafkaExtension.class)
class SessionExpiryHandOverTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * Makes {@code a}'s first ownership check of each worker stall just after it answered, until the test
   * releases it; returns the workers whose check stalled so far.
   */
  private Set<String> stallFirstOwnershipChecks(WorkServer a) {
    Set<String> stalled = ConcurrentHashMap.newKeySet();
    a.registry().endsSessionsOf(id -> {
      boolean owns = a.ownedPartitions().contains(Ownership.partitionOf(id, 6));
      if (owns && stalled.add(id)) {
        awaitRelease();
      }
      return owns;
    });
    return stalled;
  }

  private WorkServer coordinator(TestKafka k, Topics topics, String instanceId) {
    // Members hear of a rebalance at their next heartbeat: 3 s by default, 0.1 s here. Only the classic
    // protocol takes the setting, so every consumer uses it (share consumers leave both settings out).
    KafkaClients clients = new KafkaClients(k.bootstrapServers(), Map.of("group.protocol", "classic",
        "heartbeat.interval.ms", "100"));
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(clients).topics(topics).clock(clock)
        .nanoTime(clock::nanoTime)
        .shareGroupSettings(ServerFixture.FAST_GROUP).commitInterval(Duration.ofMillis(20)).instanceId(instanceId)
        .build();
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    release.countDown();
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void aSessionThatExpiresWhileItsPartitionMovesEndsOnce(TestKafka k) throws Exception {
    endsOnceWhileItsPartitionMoves(k, Ending.EXPIRY);
  }

  @Test
  void aSessionRevokedWhileItsPartitionMovesEndsOnce(TestKafka k) throws Exception {
    endsOnceWhileItsPartitionMoves(k, Ending.REVOCATION);
  }

  /** How a session ends. */
  private enum Ending {
    EXPIRY, REVOCATION;

    /** Ends {@code s} through {@code c}, when {@code c} decides about it (an expiry is found by a request). */
    void end(WorkServer c, Session s) {
      if (this == EXPIRY) {
        c.workers().authenticate(s.workerId(), s.sessionKey());
        return;
      }
      try {
        c.workers().revoke(s.workerId());
      } catch (GoWorkException e) {
        if (e.code() != ErrorCode.CONFLICT) {
          throw e;
        }
      }
    }
  }

  private void endsOnceWhileItsPartitionMoves(TestKafka k, Ending how) throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    Poll.until(() -> a.ownedPartitions().size() == 6, WAIT, "a, alone, to own every results partition");
    // One session per results partition, so some move to b whichever partitions the group gives it.
    Map<Integer, Session> sessions = sessionPerPartition(a);

    // a's first ownership check for each session it ends stalls just after it answered, as a thread
    // preempted there would, until the test lets it go on.
    Set<String> stalled = stallFirstOwnershipChecks(a);
    if (how == Ending.EXPIRY) {
      clock.advance(Duration.ofHours(1).plusSeconds(1));
    }
    List<Thread> ends = new ArrayList<>();
    for (Session s : sessions.values()) {
      Thread t = new Thread(() -> how.end(a, s), "test-end-session");
      t.start();
      ends.add(t);
    }
    Poll.until(() -> stalled.size() == 6, WAIT, "a to check its ownership of each session it ends");

    CompletableFuture<WorkServer> b = CompletableFuture.supplyAsync(() -> coordinator(k, topics, "b"));
    // a's last commit as the owner must wait for the endings it decided as the owner. Had the hand-over
    // gone past them, b now holds partitions, and ends the sessions it read as open.
    Poll.until(() -> (b.isDone() && !b.join().ownedPartitions().isEmpty()) || handOverWaitsForTheJournal(), WAIT,
        "b to take partitions from a, or a's hand-over to wait for the endings it started as their owner");
    if (b.isDone()) {
      sessions.values().forEach(s -> how.end(b.join(), s));
    }
    release.countDown();
    for (Thread t : ends) {
      t.join(WAIT.toMillis());
    }
    WorkServer bb = b.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Poll.until(() -> !bb.ownedPartitions().isEmpty() && a.ownedPartitions().size() + bb.ownedPartitions().size() == 6,
        WAIT, "a and b to split the results partitions");
    Set<String> moved = sessions.entrySet().stream().filter(e -> bb.ownedPartitions().contains(e.getKey()))
        .map(e -> e.getValue().workerId()).collect(Collectors.toSet());
    assertFalse(moved.isEmpty(), "some sessions moved to b");
    sessions.values().forEach(s -> how.end(bb, s));
    flush(a);
    flush(bb);

    Map<String, Long> expired = EventsTopic.readAll(k.clients(), topics.events()).stream()
        .filter(e -> e.type() == EventType.WORKER_EXPIRED).collect(Collectors.groupingBy(Event::workerId,
            TreeMap::new, Collectors.counting()));
    Map<String, Long> once = new TreeMap<>();
    sessions.values().forEach(s -> once.put(s.workerId(), 1L));
    assertEquals(once, expired, "worker_expired events per session (moved to b: " + moved + ")");
  }

  @Test
  void anEndedSessionForgottenWhileItsPartitionMovesIsDeletedOnlyBeforeTheHandOver(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    Poll.until(() -> a.ownedPartitions().size() == 6, WAIT, "a, alone, to own every results partition");
    Map<Integer, Session> sessions = sessionPerPartition(a);
    sessions.values().forEach(s -> a.workers().revoke(s.workerId()));
    // Their records are committed before any check stalls (a stalled unit holds up every commit). flush()
    // opens a session of its own: half an hour later, so that it does not expire (and journal) meanwhile.
    clock.advance(Duration.ofMinutes(30));
    flush(a);

    // a's first ownership check for each session it forgets stalls just after it answered.
    Set<String> stalled = stallFirstOwnershipChecks(a);
    clock.advance(Duration.ofMinutes(30).plusSeconds(1));
    // One sweep stalls at the first session it forgets; the next one starts past it (it left the table).
    List<Thread> forgetting = new ArrayList<>();
    while (stalled.size() < sessions.size()) {
      int before = stalled.size();
      Thread t = new Thread(a.registry()::expireSessions, "test-expire-sessions");
      t.start();
      forgetting.add(t);
      Poll.until(() -> stalled.size() > before, WAIT, "a to check its ownership of another ended session");
    }

    CompletableFuture<WorkServer> b = CompletableFuture.supplyAsync(() -> coordinator(k, topics, "b"));
    // Had the hand-over gone past the stalled checks, b now holds partitions, and whatever a writes about
    // their sessions from here on, it writes as their owner no longer.
    Poll.until(() -> (b.isDone() && !b.join().ownedPartitions().isEmpty()) || handOverWaitsForTheJournal(), WAIT,
        "b to take partitions from a, or a's hand-over to wait for the tombstones it started as their owner");
    Map<TopicPartition, Long> takenOver = b.isDone() ? committedEnds(k, topics.sessions()) : null;
    release.countDown();
    for (Thread t : forgetting) {
      t.join(WAIT.toMillis());
    }
    WorkServer bb = b.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Poll.until(() -> !bb.ownedPartitions().isEmpty() && a.ownedPartitions().size() + bb.ownedPartitions().size() == 6,
        WAIT, "a and b to split the results partitions");
    if (takenOver == null) {
      takenOver = committedEnds(k, topics.sessions());
    }
    Set<String> moved = sessions.entrySet().stream().filter(e -> bb.ownedPartitions().contains(e.getKey()))
        .map(e -> e.getValue().workerId()).collect(Collectors.toSet());
    assertFalse(moved.isEmpty(), "some sessions moved to b");
    flush(a);

    assertEquals(List.of(), writtenSince(k, topics.sessions(), takenOver, topics.prefix() + ".coordinator-a", moved),
        "records a wrote about sessions moved to b after b took them over");
  }

  /** One session opened with {@code c} per results partition, by partition (so some move, whichever b gets). */
  private static Map<Integer, Session> sessionPerPartition(WorkServer c) {
    Map<Integer, Session> sessions = new TreeMap<>();
    while (sessions.size() < 6) {
      Registration r = c.workers().register();
      int p = Ownership.partitionOf(r.workerId(), 6);
      if (!sessions.containsKey(p)) {
        sessions.put(p, c.workers().verify(r.workerId(),
            Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(), r.challenge())));
      }
    }
    return sessions;
  }

  /** Where each partition of {@code topic} ends, as read_committed readers see it. */
  private static Map<TopicPartition, Long> committedEnds(TestKafka k, String topic) {
    try (Consumer<String, byte[]> c = k.clients().consumer(null, Map.of())) {
      List<TopicPartition> tps = c.partitionsFor(topic, WAIT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return Map.copyOf(c.endOffsets(tps, WAIT));
    }
  }

  /** The committed records {@code writer} wrote about {@code keys} in {@code topic} from {@code from} on. */
  private static List<String> writtenSince(TestKafka k, String topic, Map<TopicPartition, Long> from, String writer,
      Set<String> keys) {
    List<String> out = new ArrayList<>();
    try (Consumer<String, byte[]> c = k.clients().consumer(null, Map.of())) {
      c.assign(from.keySet());
      from.forEach(c::seek);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(from.keySet(), WAIT));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
        if (end.isEmpty()) {
          return out;
        }
        if (System.nanoTime() > deadline) {
          return fail(topic + " was not read to its end in " + WAIT);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          Header h = r.headers().lastHeader(TransactionalWriter.WRITER_HEADER);
          if (keys.contains(r.key()) && h != null && writer.equals(new String(h.value(), StandardCharsets.UTF_8))) {
            out.add(r.key() + (r.value() == null ? " deleted" : " written") + " at " + r.partition() + "@"
                + r.offset());
          }
        }
      }
    }
  }

  /** Commits what {@code c} journaled so far: a verify returns once its session record, and all before it, is. */
  private static void flush(WorkServer c) {
    Registration r = c.workers().register();
    c.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(), r.challenge()));
  }

  private void awaitRelease() {
    try {
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while a results thread, giving partitions up, waits to take the journal (units are still being written). */
  private static boolean handOverWaitsForTheJournal() {
    return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getState() == Thread.State.WAITING
        && Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("onPartitionsRevoked"))
        && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith(".Journal")
            && f.getMethodName().equals("drain")));
  }
}
