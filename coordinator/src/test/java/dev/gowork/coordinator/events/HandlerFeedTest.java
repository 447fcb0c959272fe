package dev.gowork.coordinator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.state.CommitChanges;
import dev.gowork.coordinator.state.CommitWatcher;
import dev.gowork.coordinator.state.InstanceTakeover;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.state.TransactionalWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handler feed on a real broker: events this coordinator commits reach the handlers when their
 * transaction commits, exactly once although the feed reads them back too; an aborted transaction's
 * events never do; a graceful stop reads to the end so that a successor does not handle them again.
 */
@ExtendWith(KafkaExtension.class)
class HandlerFeedTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PARTITIONS = 2;

  private TestKafka kafka;
  private String events;
  private String group;
  private Admin admin;
  private Journal journal;
  private EventDispatcher dispatcher;
  private HandlerFeed feed;
  private CommitChanges commits;
  private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
  /** The offset of the last committed event in each partition. */
  private final Map<Integer, Long> lastWritten = new ConcurrentHashMap<>();
  /** When set, the committer hears of a commit only after the feed read the events back. */
  private volatile boolean lateCommitNews;
  /** When set, the feed hears that a commit failed although it succeeded. */
  private volatile boolean reportFailure;

  @BeforeEach
  void setUp(TestKafka k) throws Exception {
    kafka = k;
    events = k.topicPrefix() + ".events";
    group = k.topicPrefix() + ".handlers";
    admin = k.clients().admin();
    admin.createTopics(List.of(new NewTopic(events, PARTITIONS, (short) 1),
        new NewTopic(k.topicPrefix() + ".state", 1, (short) 1),
        new NewTopic(k.topicPrefix() + ".sessions", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    journal = Journal.durable(WAIT);
    dispatcher = startDispatcher();
    feed = startFeed(dispatcher);
    String txId = k.topicPrefix() + ".coordinator-0";
    TransactionalWriter writer = new TransactionalWriter(() -> k.clients().transactionalProducer(txId), txId,
        k.topicPrefix() + ".state", k.topicPrefix() + ".sessions", events, k.topicPrefix() + ".control",
        k.topicPrefix() + ".schedules", k.topicPrefix() + ".queues");
    writer.watch(placed -> {
      CommitWatcher.Outcome fed = feed.writing(placed);
      return committed -> {
        if (lateCommitNews) {
          until(() -> !feed.claimsLeft(), "the feed to read the events back");
        }
        if (committed) {
          placed.forEach(p -> lastWritten.merge(p.partition(), p.offset(), Math::max));
        }
        fed.ended(committed && !reportFailure);
      };
    });
    writer.init();
    commits = new CommitChanges(journal, writer);
    commits.attach(() -> { });
  }

  @AfterEach
  void tearDown() {
    commits.crash();
    feed.crash();
    dispatcher.crash();
    admin.close();
  }

  private EventDispatcher startDispatcher() {
    EventDispatcher d = EventDispatcher.toJournal(Clock.systemUTC(), journal, WireCodec.defaults());
    d.register(EventType.WORK_COMPLETE.id(),
        (e, params) -> handled.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet());
    return d;
  }

  private HandlerFeed startFeed(EventDispatcher d) {
    HandlerFeed f = new HandlerFeed(kafka.clients(), events, group, "coordinator-0", WireCodec.defaults(), d,
        new InstanceTakeover("coordinator-0"));
    f.prepare(admin, WAIT);
    f.start();
    until(() -> f.owns(0) && f.owns(1), "the feed to own both events partitions");
    return f;
  }

  /** Fires n work_complete events in the journal and commits them in one transaction. */
  private List<Event> commit(int n) {
    List<Event> fired = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fired.add(journal.atomically(() -> dispatcher.event(EventType.WORK_COMPLETE).work("w" + fired.size()).fire()));
    }
    var flushed = journal.flush();
    commits.handOff(null);
    flushed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return fired;
  }

  @Test
  void eventsReachHandlersOnceWhenTheirTransactionCommitsAlthoughTheFeedReadsThemBack() throws Exception {
    List<Event> fired = commit(200);
    until(() -> fired.stream().allMatch(e -> handled.containsKey(e.id())), "every event handled");
    until(this::groupAtEnd, "the feed to read the events back and commit past them");
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handler calls for " + e.id()));
  }

  @Test
  void eventsTheFeedReadsBeforeTheCommitterHearsOfTheCommitAreHandledOnce() {
    lateCommitNews = true;
    List<Event> fired = commit(20);
    until(() -> fired.stream().allMatch(e -> handled.containsKey(e.id())), "every event handled");
    until(this::groupAtEnd, "the feed to commit past them");
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handler calls for " + e.id()));
  }

  @Test
  void anEventReadBackAfterACommitReportedAsFailedIsStillHandled() throws Exception {
    // A commit whose answer was lost reports a failure although it committed: the feed reads the
    // event back, and its handler must run once, without stopping the feed.
    lateCommitNews = true;
    reportFailure = true;
    List<Event> fired = commit(3);
    reportFailure = false;
    until(() -> fired.stream().allMatch(e -> handled.containsKey(e.id())), "every event handled");
    List<Event> later = commit(2);
    until(() -> later.stream().allMatch(e -> handled.containsKey(e.id())), "the feed to go on");
    until(this::groupAtEnd, "the feed to commit past them");
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handler calls for " + e.id()));
  }

  @Test
  void aCommittedEventIsHandledWithoutBeingReadBack() {
    Event e = completed("never-written");
    List<CommitWatcher.Placed> placed = List.of(new CommitWatcher.Placed(e, 1, 1_000_000L));
    feed.writing(placed).ended(true);
    until(() -> handled.containsKey(e.id()), "the handler, with nothing to read on the events topic");
  }

  @Test
  void eventsOfAPartitionThatMovedBeforeTheCommitAreLeftToItsNewOwner() throws Exception {
    Event moved = completed("moved");
    Event stayed = completed("stayed");
    CommitWatcher.Outcome outcome = feed.writing(List.of(new CommitWatcher.Placed(moved, 0, 1_000_000L),
        new CommitWatcher.Placed(stayed, 1, 1_000_000L)));
    feed.owned(List.of(new TopicPartition(events, 0)), false);
    outcome.ended(true);
    until(() -> handled.containsKey(stayed.id()), "the event of the partition still owned");
    dispatcher.deliverLater(List.of()).get(30, TimeUnit.SECONDS);
    assertTrue(!handled.containsKey(moved.id()), "the event of the partition that moved was handled here too");
  }

  @Test
  void anAbortedTransactionsEventsNeverReachHandlers() throws Exception {
    Event e = completed("aborted");
    List<CommitWatcher.Placed> placed = List.of(new CommitWatcher.Placed(e, 0, 1_000_000L));
    feed.writing(placed).ended(false);
    Event later = commit(1).get(0);
    until(() -> handled.containsKey(later.id()), "a later event handled");
    dispatcher.deliverLater(List.of()).get(30, TimeUnit.SECONDS); // the dispatch queue is empty
    assertTrue(!handled.containsKey(e.id()), "the aborted event was handled");
  }

  @Test
  void atApplyHandlersRunBeforeTheCommitAndNotAgainWhenTheFeedReadsTheEventsBack() {
    feed.runHandlersAt(HandlerTiming.APPLY);
    List<Event> fired = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fired.add(journal.atomically(() -> dispatcher.event(EventType.WORK_COMPLETE).work("a" + fired.size()).fire()));
    }
    until(() -> fired.stream().allMatch(e -> handled.containsKey(e.id())), "every handler, before any commit");
    assertTrue(lastWritten.isEmpty(), "nothing was committed yet");
    var flushed = journal.flush();
    commits.handOff(null);
    flushed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    until(this::groupAtEnd, "the feed to read the events back and commit past them");
    assertTrue(!feed.claimsLeft(), "every claim was read back");
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handler calls for " + e.id()));
  }

  @Test
  void atApplyAnAbortedTransactionLeavesNoClaimBehindAndItsRetryIsNotHandledAgain() {
    feed.runHandlersAt(HandlerTiming.APPLY);
    Event e = completed("retried");
    java.util.concurrent.CompletableFuture<Void> ran = java.util.concurrent.CompletableFuture.completedFuture(null);
    feed.writing(List.of(new CommitWatcher.Placed(e, 0, 1_000_000L, ran))).ended(false);
    assertTrue(!feed.claimsLeft(), "the aborted place is still claimed");
    feed.writing(List.of(new CommitWatcher.Placed(e, 1, 1_000_001L, ran))).ended(true);
    assertTrue(feed.claimsLeft(), "the committed place is claimed until read back");
    assertTrue(!handled.containsKey(e.id()), "the feed ran the handlers of an event handled when emitted");
  }

  @Test
  void atCommitNothingRunsBeforeTheCommit() throws Exception {
    Event e = journal.atomically(() -> dispatcher.event(EventType.WORK_COMPLETE).work("waits").fire());
    dispatcher.deliverLater(List.of()).get(30, TimeUnit.SECONDS); // the dispatch queue is empty
    assertTrue(!handled.containsKey(e.id()), "a handler ran before its event committed");
  }

  @Test
  void aGracefulStopReadsToTheEndSoASuccessorDoesNotHandleTheEventsAgain() {
    List<Event> fired = commit(50);
    feed.close();
    assertTrue(groupAtEnd(), "the handler group's offsets are at the end of the events topic after close");
    dispatcher.close();
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handler calls for " + e.id()));

    dispatcher = startDispatcher();
    feed = startFeed(dispatcher);
    List<Event> more = commit(5);
    until(() -> more.stream().allMatch(e -> handled.containsKey(e.id())), "the successor's handlers");
    until(this::groupAtEnd, "the successor to commit past its events");
    fired.forEach(e -> assertEquals(1, handled.get(e.id()).get(), "handled again by the successor: " + e.id()));
  }

  private static Event completed(String workId) {
    return new Event(java.util.UUID.randomUUID().toString(), EventType.WORK_COMPLETE, Instant.now(), "default", workId,
        null, 1, null, null);
  }

  /** True when the handler group committed past every event written. */
  private boolean groupAtEnd() {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      for (var last : lastWritten.entrySet()) {
        OffsetAndMetadata c = committed.get(new TopicPartition(events, last.getKey()));
        if (c == null || c.offset() <= last.getValue()) {
          return false;
        }
      }
      return !lastWritten.isEmpty();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void until(BooleanSupplier done, String what) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
