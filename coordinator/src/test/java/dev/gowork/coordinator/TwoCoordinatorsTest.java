package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.testing.AutoWorker;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coordinators active at once on one prefix (real broker): they split the results partitions
 * through their consumer group, each decides about the work of its partitions whichever of them
 * added it, both answer status for all of it, and each terminal event reaches the events topic and
 * the handlers once. When one leaves, the other takes its partitions and its unfinished work. A result
 * that reaches the owner before the adder's state does waits for it. A schedule runs on its owner
 * only, and its runs move with its partition.
 */
@ExtendWith(KafkaExtension.class)
class TwoCoordinatorsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Map<String, List<Event>> handled = new ConcurrentHashMap<>();

  /**
   * A coordinator whose group members hear of a rebalance at heartbeats of 0.1 s instead of 3 s: the
   * two split the results partitions, and hand them over when one leaves, in well under a second.
   */
  private WorkServer coordinator(TestKafka k, Topics topics, String instanceId) {
    return coordinator(k, topics, instanceId, Duration.ofMillis(20));
  }

  private WorkServer coordinator(TestKafka k, Topics topics, String instanceId, Duration commitInterval) {
    return coordinator(ServerFixture.fastRebalancing(k), topics, instanceId, commitInterval);
  }

  private WorkServer coordinator(KafkaClients clients, Topics topics, String instanceId, Duration commitInterval) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(clients).topics(topics).clock(clock)
        .nanoTime(clock::nanoTime)
        .shareGroupSettings(ServerFixture.FAST_GROUP).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .commitInterval(commitInterval).instanceId(instanceId).build();
    List<Event> seen = new CopyOnWriteArrayList<>();
    handled.put(instanceId, seen);
    for (EventType t : EventsTopic.TERMINAL) {
      s.newHandler(t.id(), (e, params) -> seen.add(e));
    }
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
  void twoActiveCoordinatorsSplitTheWorkAndFireEachTerminalEventOnce(TestKafka k) {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    WorkServer b = coordinator(k, topics, "b");
    SplitPartitions.await(a, b, WAIT);
    assertFalse(a.ownedPartitions().stream().anyMatch(b.ownedPartitions()::contains), "no partition owned twice");

    // One worker, registered with a and verified with b (the challenge is derived from the id with the
    // secret): both verify its results, from the session b wrote.
    Registration r = a.workers().register();
    Session s = b.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(),
        r.challenge()));
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));

    List<String> completed = new ArrayList<>();
    List<String> expiring = new ArrayList<>();
    for (int batch = 0; batch < 6; batch++) {
      WorkServer via = batch % 2 == 0 ? a : b;
      List<Work> works = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        works.add(via.createWork(Map.of("n", batch * 100 + i), 600));
      }
      via.addAll(works);
      works.forEach(w -> completed.add(w.id()));
      // Work on a queue nobody serves, to be timed out by its owner.
      Work slow = via.createWork("nobody takes this", 5).withQueue("unserved");
      via.add(slow);
      expiring.add(slow.id());
    }
    Poll.until(() -> a.queueSizes().getOrDefault(Topics.DEFAULT_QUEUE, 0L) == 0
        && b.queueSizes().getOrDefault(Topics.DEFAULT_QUEUE, 0L) == 0, WAIT, "the default queue to drain on both");
    clock.advance(Duration.ofSeconds(10));

    List<String> all = new ArrayList<>(completed);
    all.addAll(expiring);
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
        .containsAll(all), WAIT, "a terminal event for every item");
    List<Event> events = EventsTopic.readAll(k.clients(), topics.events());
    EventsTopic.assertOneTerminalEach(events, completed, EventType.WORK_COMPLETE);
    EventsTopic.assertOneTerminalEach(events, expiring, EventType.WORK_TIMEOUT);

    // Handlers: the handler group splits the events between the two; each terminal event is handled once.
    Poll.until(() -> handledTerminal().keySet().containsAll(all), WAIT, "every terminal event handled");
    handledTerminal().forEach((id, n) -> assertEquals(1, n, "terminal events handled for " + id));

    // Status: both answer for every item, whichever owns it.
    for (WorkServer c : List.of(a, b)) {
      Poll.until(() -> all.stream().allMatch(id -> c.status(id).map(st -> Lifecycle.isTerminal(st.state()))
          .orElse(false)), WAIT, "status of every item on both coordinators");
    }
    assertEquals(WorkState.TIMED_OUT, b.status(expiring.get(0)).orElseThrow().state());
    assertEquals(WorkState.COMPLETED, a.status(completed.get(completed.size() - 1)).orElseThrow().state());

    // A queue cancel on a, which has no operator key: it cancels what it owns and counts, without
    // touching them, the items b owns (before, they were skipped without a word).
    List<String> toCancel = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Work w = a.createWork(Map.of("n", i), 600).withQueue("unserved-2");
      a.add(w);
      toCancel.add(w.id());
    }
    long ownedByB = toCancel.stream().filter(id -> b.ownedPartitions().contains(Ownership.partitionOf(id, 6))).count();
    WorkServer.QueueCancellation c = a.cancelQueue("unserved-2", "tidy up");
    assertEquals(new WorkServer.QueueCancellation("unserved-2", 20 - (int) ownedByB, 0, (int) ownedByB), c);
    for (String id : toCancel) {
      boolean bOwns = b.ownedPartitions().contains(Ownership.partitionOf(id, 6));
      Poll.until(() -> b.status(id).map(st -> st.state() == (bOwns ? WorkState.QUEUED : WorkState.CANCELLED))
          .orElse(false), WAIT, id + " on b: " + (bOwns ? "left queued" : "cancelled"));
    }

    // b leaves: a takes all partitions, and the work still to do completes.
    b.close();
    Poll.until(() -> a.ownedPartitions().size() == 6, WAIT, "a to own every partition after b left");
    List<Work> more = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      more.add(a.createWork(Map.of("after", i), 600));
    }
    a.addAll(more);
    List<String> moreIds = more.stream().map(Work::id).toList();
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
        .containsAll(moreIds), WAIT, "the work added after b left to complete");
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), moreIds,
        EventType.WORK_COMPLETE);
  }

  @Test
  void aResultThatOvertakesTheAddersCommitWaitsForItInsteadOfBeingDropped(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    // a commits at most every 3 s: work it adds reaches the workers seconds before its state does.
    WorkServer a = coordinator(k, topics, "a", Duration.ofSeconds(3));
    WorkServer b = coordinator(k, topics, "b");
    awaitSplit(a, b);
    Session s = session(a);
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));
    a.add(a.createWork("first, committed at once after the quiet spell", 600));

    List<Work> works = numbered(a, 60);
    a.addAllAsync(works).get(30, TimeUnit.SECONDS);
    List<String> ids = works.stream().map(Work::id).toList();
    long ownedByB = ids.stream().filter(id -> b.ownedPartitions().contains(
        Ownership.partitionOf(id, 6))).count();
    assertTrue(ownedByB > 0, "some of the work is b's to decide");
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
        .containsAll(ids), WAIT, "every item completed, b's included");
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), ids, EventType.WORK_COMPLETE);
  }

  @Test
  void aCoordinatorDroppedByItsGroupCommitsNothingMoreAndTheNewOwnerDecidesEachItemOnce(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    // a commits at most every 10 s, so the results it applies wait in its memory when the group drops it.
    // The default 3 s heartbeats here: how the dropped member and the new owner meet the group after the
    // drop stays as it was found (with 0.1 s heartbeats a rejoined briefly and b's close then waited 5 s).
    WorkServer a = coordinator(k.clients(), topics, "a", Duration.ofSeconds(10));
    WorkServer b = coordinator(k.clients(), topics, "b", Duration.ofMillis(20));
    awaitSplit(a, b);
    // The worker's session comes from b: one made by a would be a's first commit, and its 10 s spacing
    // would hold the adds below back for 10 s. (a finds b's session when a result of it arrives.)
    Session s = session(b);
    List<Work> works = numbered(a, 60);
    a.addAll(works); // committed: a's first change, so it commits at once
    List<String> ids = works.stream().map(Work::id).toList();
    List<String> ofA = ids.stream().filter(id -> a.ownedPartitions().contains(Ownership.partitionOf(id, 6))).toList();
    assertFalse(ofA.isEmpty(), "some of the work is a's to decide");
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));
    Poll.until(() -> ofA.stream().allMatch(id -> a.status(id).map(st -> st.state() == WorkState.COMPLETED)
        .orElse(false)), WAIT, "a to apply the results of its items (not committed yet)");

    try (Admin admin = k.clients().admin()) {
      admin.removeMembersFromConsumerGroup(topics.coordinatorGroup(), new RemoveMembersFromConsumerGroupOptions(
          List.of(new MemberToRemove(topics.prefix() + ".coordinator-a")))).all().get(10, TimeUnit.SECONDS);
    }
    Poll.until(() -> a.failure().isPresent(), WAIT, "a to stop committing once the group dropped it");
    assertTrue(a.failure().get().contains("restart it"), a.failure().get());
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
        .containsAll(ids), WAIT, "b to decide every item, a's included");
    Thread.sleep(1_000); // a commit of a's already on its way would be there by now
    EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), ids, EventType.WORK_COMPLETE);
  }

  @Test
  void eachRunOfAScheduleAddsItsWorkOnceAndTheCoordinatorLeftTakesTheOthersSchedulesOver(TestKafka k)
      throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, topics, "a");
    WorkServer b = coordinator(k, topics, "b");
    awaitSplit(a, b);
    String ofA = nameOwnedBy(a);
    String ofB = nameOwnedBy(b);
    Instant first = a.schedule(Schedule.every(ofA, Duration.ofMinutes(1), null, 600)).nextRunAt();
    a.schedule(Schedule.every(ofB, Duration.ofMinutes(1), null, 600));
    Poll.until(() -> b.schedules().size() == 2, WAIT, "b to read the schedules defined through a");

    clock.advance(Duration.between(clock.instant(), first.plusSeconds(1)));
    List<String> runs = new ArrayList<>(List.of(ofA + "@" + first, ofB + "@" + first));
    Poll.until(() -> adds(k, topics, runs).keySet().containsAll(runs), WAIT, "each owner to run its schedule");
    Poll.until(() -> first.equals(a.scheduleStatus(ofB).orElseThrow().lastRunAt()), WAIT, "a to read b's run");

    b.close();
    Poll.until(() -> a.ownedPartitions().size() == 6, WAIT, "a to own every partition after b left");
    clock.advance(Duration.ofSeconds(60));
    runs.addAll(List.of(ofA + "@" + first.plusSeconds(60), ofB + "@" + first.plusSeconds(60)));
    Poll.until(() -> adds(k, topics, runs).keySet().containsAll(runs), WAIT, "a to run both schedules");
    Thread.sleep(1_000); // a second add of any run would be on the events topic by now
    Map<String, Integer> added = adds(k, topics, runs);
    assertEquals(runs.stream().collect(java.util.stream.Collectors.toMap(id -> id, id -> 1)), added,
        "one add_work per run, b's first run not repeated by a");
  }

  /** How many {@code add_work} events the events topic holds for each of {@code ids}. */
  private static Map<String, Integer> adds(TestKafka k, Topics topics, List<String> ids) {
    Map<String, Integer> n = new java.util.HashMap<>();
    EventsTopic.readAll(k.clients(), topics.events()).stream()
        .filter(e -> e.type() == EventType.ADD_WORK && ids.contains(e.workId()))
        .forEach(e -> n.merge(e.workId(), 1, Integer::sum));
    return n;
  }

  /** A schedule name that {@code owner} owns now (its results partition, as for a work id). */
  private static String nameOwnedBy(WorkServer owner) {
    for (int i = 0; ; i++) {
      if (owner.ownedPartitions().contains(Ownership.partitionOf("schedule-" + i, 6))) {
        return "schedule-" + i;
      }
    }
  }

  private static void awaitSplit(WorkServer a, WorkServer b) {
    SplitPartitions.await(a, b, WAIT);
  }

  /** {@code n} items of {@code via} with data {@code {"n": i}} and a 600 s timeout. */
  private static List<Work> numbered(WorkServer via, int n) {
    List<Work> works = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      works.add(via.createWork(Map.of("n", i), 600));
    }
    return works;
  }

  /** A worker's session, registered and verified with {@code via}. */
  private static Session session(WorkServer via) {
    Registration r = via.workers().register();
    return via.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(),
        r.challenge()));
  }

  private Map<String, Integer> handledTerminal() {
    Map<String, Integer> n = new java.util.HashMap<>();
    handled.values().forEach(l -> l.forEach(e -> n.merge(e.workId(), 1, Integer::sum)));
    return n;
  }
}
