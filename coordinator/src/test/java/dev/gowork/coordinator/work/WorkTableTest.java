package dev.gowork.coordinator.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkTableTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventLog log = new EventLog();
  private final EventDispatcher events = new EventDispatcher(clock, log);
  private final WorkTable table = new WorkTable(events, WireCodec.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  private WorkEnvelope add(String id, int maxAttempts, long timeoutSeconds) {
    Instant now = clock.instant();
    WorkEnvelope w = new WorkEnvelope(id, "default", 1, maxAttempts, timeoutSeconds, TextNode.valueOf("x"), now,
        now.plusSeconds(timeoutSeconds));
    table.queued(w, now.toEpochMilli());
    return w;
  }

  private Verdict result(String id, int attempt, ResultStatus status) {
    return table.applyResult(new ResultEnvelope(id, attempt, status, TextNode.valueOf("r"),
        status == ResultStatus.COMPLETED ? null : "boom", "w-1", 5), "w-1", clock.millis());
  }

  private List<EventType> typesFor(String id) {
    events.close();
    return log.all().stream().filter(e -> id.equals(e.workId())).map(e -> e.type()).toList();
  }

  @Test
  void completedResultRecordsTheResultAndFiresWorkCompleteOnce() {
    add("a", 1, 60);
    clock.advance(Duration.ofMillis(1500));
    assertTrue(result("a", 1, ResultStatus.COMPLETED).accepted());
    Verdict again = result("a", 1, ResultStatus.COMPLETED);
    assertFalse(again.accepted());
    assertEquals("work is already completed", again.rejection());
    WorkStatus s = table.status("a").orElseThrow();
    assertEquals(WorkState.COMPLETED, s.state());
    assertEquals("r", s.result().asText());
    assertEquals("w-1", s.workerId());
    assertEquals(List.of(EventType.WORK_COMPLETE), typesFor("a"));
    assertEquals(1500L, log.of(EventType.WORK_COMPLETE).get(0).durationMs());
  }

  @Test
  void failureWithOneAttemptIsTerminalFailed() {
    add("a", 1, 60);
    Verdict v = result("a", 1, ResultStatus.FAILED);
    assertEquals(WorkState.FAILED, v.state());
    assertFalse(v.retry());
    assertEquals("boom", table.status("a").orElseThrow().error());
    assertEquals(Map.of("default", 0L), table.sizes());
    assertEquals(List.of(EventType.WORK_FAILED), typesFor("a"));
  }

  @Test
  void failureWithAttemptsLeftWaitsThenRetriesThenDies() {
    add("a", 2, 60);
    assertTrue(result("a", 1, ResultStatus.FAILED).retry());
    assertEquals(WorkState.RETRY_WAIT, table.status("a").orElseThrow().state());
    assertEquals("work is waiting for attempt 2", result("a", 1, ResultStatus.COMPLETED).rejection());
    assertTrue(table.retried("a", 2, clock.millis()));
    assertFalse(table.retried("a", 2, clock.millis()), "a second requeue of the same wait does nothing");
    assertTrue(result("a", 1, ResultStatus.COMPLETED).rejection().startsWith("attempt 1 is older"));
    assertEquals(WorkState.DEAD, result("a", 2, ResultStatus.FAILED).state());
    assertEquals(1, table.deadLetters().size());
    assertEquals(List.of(EventType.WORK_FAILED, EventType.WORK_RETRY, EventType.WORK_FAILED, EventType.WORK_DEAD),
        typesFor("a"));
  }

  /** Adds {@code id} with two attempts and fails both: it ends dead. */
  private void addAndFailTwice(String id, int timeoutSeconds) {
    add(id, 2, timeoutSeconds);
    result(id, 1, ResultStatus.FAILED);
    table.retried(id, 2, clock.millis());
    result(id, 2, ResultStatus.FAILED);
  }

  @Test
  void workEventsCarryMaxAttemptsSoAReaderCanTellAFinalFailure() {
    addAndFailTwice("a", 60);
    add("b", 1, 60);
    result("b", 1, ResultStatus.COMPLETED);
    events.close();   // delivers what was fired
    List<String> attempts = log.of(EventType.WORK_FAILED, "a").stream().map(e -> e.attempt() + "/" + e.maxAttempts())
        .toList();
    assertEquals(List.of("1/2", "2/2"), attempts, "the second failure is the final one");
    assertEquals(2, log.of(EventType.WORK_RETRY, "a").get(0).maxAttempts());
    assertEquals(2, log.of(EventType.WORK_DEAD, "a").get(0).maxAttempts());
    assertEquals(1, log.of(EventType.WORK_COMPLETE, "b").get(0).maxAttempts());
  }

  @Test
  void reviveGivesADeadItemOneMoreAttemptWithAFreshDeadline() {
    addAndFailTwice("a", 10);
    clock.advance(Duration.ofSeconds(30));
    WorkRef ref = table.revive("a", clock.millis());
    assertEquals(3, ref.attempt());
    assertEquals(3, ref.maxAttempts());
    assertEquals(clock.instant().plusSeconds(10), ref.deadline());
    assertTrue(table.deadLetters().isEmpty());
    assertEquals(Map.of("default", 1L), table.sizes());
    GoWorkException e = assertThrows(GoWorkException.class, () -> table.revive("a", clock.millis()));
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(GoWorkException.class, () -> table.revive("zz", 0)).code());
    assertTrue(result("a", 3, ResultStatus.COMPLETED).accepted());
  }

  @Test
  void deadlineTimesOutOnceAndLateResultsAreRefused() {
    add("a", 1, 1);
    assertFalse(table.expire("a", clock.millis() + 999));
    clock.advance(Duration.ofSeconds(1));
    assertTrue(table.expire("a", clock.millis()));
    assertFalse(table.expire("a", clock.millis()));
    Verdict late = result("a", 1, ResultStatus.COMPLETED);
    assertEquals("work timed out", late.rejection());
    assertEquals(WorkState.TIMED_OUT, table.status("a").orElseThrow().state());
    assertEquals(List.of(EventType.WORK_TIMEOUT), typesFor("a"));
  }

  @Test
  void aResultAfterTheDeadlineTimesTheWorkOutEvenBeforeTheTrackerNotices() {
    add("a", 1, 1);
    clock.advance(Duration.ofSeconds(2));
    assertEquals("work timed out", result("a", 1, ResultStatus.COMPLETED).rejection());
    assertEquals(List.of(EventType.WORK_TIMEOUT), typesFor("a"));
  }

  @Test
  void workerReportedTimeoutIsTreatedAsTheDeadlinePassing() {
    add("a", 3, 60);
    assertEquals(WorkState.TIMED_OUT, result("a", 1, ResultStatus.TIMED_OUT).state());
    assertFalse(table.expire("a", clock.millis() + 120_000));
    assertEquals(List.of(EventType.WORK_TIMEOUT), typesFor("a"));
  }

  @Test
  void higherAttemptFromARedeliveryIsAcceptedOlderIsNot() {
    add("a", 1, 60);
    assertTrue(table.noteRunning("a", 1, "w-1", null, clock.millis()).accepted());
    assertEquals(WorkState.COMPLETED, result("a", 2, ResultStatus.COMPLETED).state());
    assertEquals(2, table.status("a").orElseThrow().attempts());
  }

  @Test
  void startMarksRunningAndRefusesFinishedWork() {
    add("a", 1, 60);
    assertEquals(WorkState.RUNNING, table.start("a", 1, "w-1", clock.millis()).state());
    assertEquals("w-1", table.status("a").orElseThrow().workerId());
    Verdict other = table.applyResult(new ResultEnvelope("a", 1, ResultStatus.COMPLETED, null, null, "w-2", 5), "w-2",
        clock.millis());
    assertEquals(WorkTable.HANDED_TO_ANOTHER, other.rejection(), "work handed to w-1 takes no result from w-2");
    result("a", 1, ResultStatus.COMPLETED);
    assertEquals(WorkState.COMPLETED, table.status("a").orElseThrow().state());
    assertFalse(table.start("a", 1, "w-1", clock.millis()).accepted());
    assertFalse(table.start("nope", 1, "w-1", clock.millis()).accepted());
  }

  @Test
  void aRunningNoticeMarksQueuedWorkRunningOncePerAttempt() {
    add("a", 3, 60);
    assertEquals(WorkState.RUNNING, table.noteRunning("a", 1, "w-1", null, clock.millis()).state());
    assertEquals("w-1", table.status("a").orElseThrow().workerId());
    assertTrue(table.noteRunning("a", 1, "w-1", null, clock.millis()).accepted(), "the same notice again is no change");
    assertFalse(table.noteRunning("a", 1, "w-2", null, clock.millis()).accepted(), "another worker's same attempt");
    assertEquals(WorkState.RUNNING, table.noteRunning("a", 2, "w-2", null, clock.millis()).state(),
        "the record came back to the group and w-2 runs it as attempt 2");
    assertEquals("w-2", table.status("a").orElseThrow().workerId());
    assertEquals(2, table.status("a").orElseThrow().attempts());
    assertFalse(table.noteRunning("a", 1, "w-1", null, clock.millis()).accepted(), "an older attempt");
    assertEquals(List.of(EventType.WORK_STARTED, EventType.WORK_STARTED), typesFor("a"));
    assertEquals(List.of("w-1", "w-2"), log.of(EventType.WORK_STARTED).stream().map(e -> e.workerId()).toList());
  }

  @Test
  void progressIsKeptWhileRunningAndDroppedWithTheAttempt() {
    add("a", 3, 60);
    table.noteRunning("a", 1, "w-1", new Progress(10, "started"), clock.millis());
    assertEquals(new Progress(10, "started"), table.status("a").orElseThrow().progress());
    table.noteRunning("a", 1, "w-1", null, clock.millis());
    assertEquals(new Progress(10, "started"), table.status("a").orElseThrow().progress(), "a bare notice keeps it");
    table.noteRunning("a", 1, "w-1", new Progress(60, null), clock.millis());
    assertEquals(new Progress(60, null), table.status("a").orElseThrow().progress());
    result("a", 1, ResultStatus.FAILED);
    assertEquals(null, table.status("a").orElseThrow().progress(), "waiting to retry: no progress");
    assertEquals(List.of(EventType.WORK_STARTED, EventType.WORK_FAILED), typesFor("a"), "progress fires no event");
  }

  @Test
  void progressIsReadOnlyInItsShape() {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(new Progress(40, "x"), Progress.from(json.createObjectNode().put("percent", 40).put("message", "x")));
    assertEquals(null, Progress.from(json.createObjectNode().put("percent", 101)));
    assertEquals(null, Progress.from(json.createObjectNode().put("percent", "40")));
    assertEquals(null, Progress.from(json.createObjectNode().put("percent", 4).put("message", 5)));
    assertEquals(null, Progress.from(TextNode.valueOf("40%")));
    assertEquals(200, Progress.from(json.createObjectNode().put("percent", 1).put("message", "m".repeat(500)))
        .message().length());
  }

  @Test
  void workHandedOutOverHttpTakesNoLaterAttemptFromAnyWorker() {
    add("a", 3, 60);
    assertTrue(table.start("a", 1, "h-1", clock.millis()).accepted());
    Verdict forged = table.applyResult(new ResultEnvelope("a", 2, ResultStatus.COMPLETED, null, null, "w-2", 5), "w-2",
        clock.millis());
    assertEquals("attempt 2 was never handed out: attempt 1 was handed out over HTTP", forged.rejection());
    assertFalse(table.applyResult(new ResultEnvelope("a", 2, ResultStatus.COMPLETED, null, null, "h-1", 5), "h-1",
        clock.millis()).accepted(), "not from its own worker either");
    assertFalse(table.noteRunning("a", 2, "w-2", null, clock.millis()).accepted(), "nor a notice of a later attempt");
    assertFalse(table.start("a", 2, "h-2", clock.millis()).accepted(), "nor a later hand-out");
    assertEquals("h-1", table.status("a").orElseThrow().workerId());
    assertTrue(table.applyResult(new ResultEnvelope("a", 1, ResultStatus.FAILED, null, "boom", "h-1", 5), "h-1",
        clock.millis()).accepted());
    table.retried("a", 2, clock.millis());
    assertEquals(WorkState.RUNNING, table.noteRunning("a", 3, "k-1", null, clock.millis()).state(),
        "the retry went to Kafka workers: a redelivery counts as the next attempt again");
  }

  @Test
  void theHandedOutMarkComesWithAnotherCoordinatorsNoticeAndWithTheStateRecord() {
    add("a", 3, 60);
    assertTrue(table.noteRunning("a", 1, "h-1", null, true, clock.millis(), clock.millis()).accepted());
    assertFalse(result("a", 2, ResultStatus.COMPLETED).accepted(), "the notice marked attempt 1 as handed out");

    WorkRecord r = new WorkRecord("m", "default", clock.millis(), clock.millis() + 60_000, 60, 1, 3);
    r.state = WorkState.RUNNING;
    r.workerId = "h-1";
    r.handedOut = true;
    byte[] record = new WorkStateCodec(WireCodec.defaults()).encode(r);
    String[] problem = new String[1];
    add("m", 3, 60);
    assertTrue(table.follow("m", record, problem).isPresent(), problem[0]);
    WorkTable restarted = new WorkTable(events, WireCodec.defaults());
    assertTrue(restarted.restore("m", record, problem).isPresent(), problem[0]);
    for (WorkTable t : List.of(table, restarted)) {
      Verdict v = t.applyResult(new ResultEnvelope("m", 2, ResultStatus.COMPLETED, null, null, "w-2", 5), "w-2",
          clock.millis());
      assertEquals("attempt 2 was never handed out: attempt 1 was handed out over HTTP", v.rejection());
    }
  }

  @Test
  void aRecordHandedOutAfterAKafkaWorkersLockRanOutStartsOncePerAttempt() {
    add("a", 1, 60);
    table.noteRunning("a", 1, "k-1", null, clock.millis());
    assertFalse(table.start("a", 1, "h-1", clock.millis()).accepted(), "attempt 1 runs on k-1");
    assertTrue(table.start("a", 2, "h-1", clock.millis()).accepted(), "delivered again: attempt 2");
    assertEquals(WorkTable.HANDED_TO_ANOTHER, table.applyResult(new ResultEnvelope("a", 1, ResultStatus.COMPLETED,
        null, null, "k-1", 5), "k-1", clock.millis()).rejection());
    events.close();
    assertEquals(List.of(1, 2), log.of(EventType.WORK_STARTED).stream().map(e -> e.attempt()).toList());
    assertEquals(List.of("k-1", "h-1"), log.of(EventType.WORK_STARTED).stream().map(e -> e.workerId()).toList());
  }

  @Test
  void aRunningNoticeSignedBeforeTheLastOneOfItsAttemptChangesNothing() {
    add("a", 3, 60);
    long t = clock.millis();
    table.noteRunning("a", 1, "w-1", new Progress(10, null), false, t, t);
    table.noteRunning("a", 1, "w-1", new Progress(50, null), false, t + 1000, t + 1000);
    Verdict replayed = table.noteRunning("a", 1, "w-1", new Progress(10, null), false, t, t + 2000);
    assertFalse(replayed.accepted(), "a replay of the first notice");
    assertEquals(new Progress(50, null), table.status("a").orElseThrow().progress());
    assertTrue(table.noteRunning("a", 2, "w-2", new Progress(5, null), false, t + 500, t + 3000).accepted(),
        "another attempt's notices count from its own first one");
    assertEquals(new Progress(5, null), table.status("a").orElseThrow().progress());
  }

  @Test
  void aRunningNoticeLeavesFinishedWaitingAndExpiredWorkAsItIs() {
    add("a", 1, 60);
    add("b", 3, 60);
    add("c", 1, 60);
    result("a", 1, ResultStatus.COMPLETED);
    result("b", 1, ResultStatus.FAILED);
    assertEquals("work is completed", table.noteRunning("a", 1, "w-1", null, clock.millis()).rejection());
    assertEquals("work is retry_wait", table.noteRunning("b", 1, "w-1", null, clock.millis()).rejection());
    assertEquals("work is timed_out", table.noteRunning("c", 1, "w-1", null, clock.millis() + 60_000).rejection());
    assertFalse(table.noteRunning("nope", 1, "w-1", null, clock.millis()).accepted());
    events.close();
    assertEquals(List.of(), log.of(EventType.WORK_STARTED));
  }

  @Test
  void workRunningAfterANoticeTakesTheResultOfItsWorkerOrOfANewerAttemptOnly() {
    add("a", 1, 60);
    table.noteRunning("a", 1, "w-1", null, clock.millis());
    Verdict sameAttempt = table.applyResult(new ResultEnvelope("a", 1, ResultStatus.COMPLETED, null, null, "w-2", 5),
        "w-2", clock.millis());
    assertEquals(WorkTable.HANDED_TO_ANOTHER, sameAttempt.rejection());
    Verdict notice = table.applyResult(new ResultEnvelope("a", 1, ResultStatus.RUNNING, null, null, "w-1", 5), "w-1",
        clock.millis());
    assertFalse(notice.accepted(), "a notice is not a result");
    Verdict newer = table.applyResult(new ResultEnvelope("a", 2, ResultStatus.COMPLETED, null, null, "w-2", 5), "w-2",
        clock.millis());
    assertEquals(WorkState.COMPLETED, newer.state());
    assertEquals("w-2", table.status("a").orElseThrow().workerId());
  }

  @Test
  void sizesCountOnlyUnfinishedWorkPerQueue() {
    add("a", 1, 60);
    add("b", 1, 60);
    add("c", 2, 60);
    result("a", 1, ResultStatus.COMPLETED);
    result("c", 1, ResultStatus.FAILED);
    assertEquals(Map.of("default", 2L), table.sizes());
    assertThrows(GoWorkException.class, () -> add("b", 1, 60));
    table.forget("b");
    assertEquals(Map.of("default", 1L), table.sizes());
  }

  @Test
  void finishedWorkIsForgottenAfterRetentionButDeadLettersStay() {
    add("a", 1, 60);
    add("d", 2, 60);
    result("a", 1, ResultStatus.COMPLETED);
    result("d", 1, ResultStatus.FAILED);
    table.retried("d", 2, clock.millis());
    result("d", 2, ResultStatus.FAILED);
    clock.advance(Duration.ofMinutes(1));
    assertEquals(1, table.forgetFinishedBefore(clock.millis()));
    assertTrue(table.status("a").isEmpty());
    assertTrue(table.status("d").isPresent());
  }

  @Test
  void onlyTheLastFinishedItemsAreKeptWhenTheCapBinds() {
    for (int i = 0; i < 5; i++) {
      add("f" + i, 1, 60);
      result("f" + i, 1, ResultStatus.COMPLETED);
      clock.advance(Duration.ofMillis(1));
    }
    add("d", 2, 60);
    result("d", 1, ResultStatus.FAILED);
    table.retried("d", 2, clock.millis());
    result("d", 2, ResultStatus.FAILED);
    add("open", 1, 60);
    assertEquals(3, table.forgetFinished(0, 2));
    for (int i = 0; i < 3; i++) {
      assertTrue(table.status("f" + i).isEmpty(), "f" + i + " is older than the last 2 and stays");
    }
    assertTrue(table.status("f3").isPresent() && table.status("f4").isPresent(), "the last two went");
    assertTrue(table.status("d").isPresent(), "the dead letter went");
    assertTrue(table.status("open").isPresent(), "unfinished work went");
    assertEquals(2, table.forgetFinished(0, 0));
    assertTrue(table.status("d").isPresent() && table.status("open").isPresent());
  }

  private void kill(String id) {
    add(id, 2, 600);
    result(id, 1, ResultStatus.FAILED);
    table.retried(id, 2, clock.millis());
    assertEquals(WorkState.DEAD, result(id, 2, ResultStatus.FAILED).state());
  }

  @Test
  void deadLettersBeyondTheCapAreForgottenOldestFirst() {
    for (int i = 0; i < 5; i++) {
      kill("d" + i);
      clock.advance(Duration.ofMillis(1));
    }
    assertEquals(3, table.forgetDead(0, 2));
    assertEquals(2, table.deadCount());
    for (int i = 0; i < 3; i++) {
      assertTrue(table.status("d" + i).isEmpty(), "d" + i + " is among the oldest three and should be gone");
    }
    assertEquals(List.of("d3", "d4"), table.deadLetters().stream().map(WorkStatus::workId).sorted().toList());
    assertEquals(0, table.forgetDead(0, 2), "nothing more while the cap holds");
    table.revive("d3", clock.millis());
    assertEquals(1, table.forgetDead(0, 0));
    assertEquals(WorkState.QUEUED, table.status("d3").orElseThrow().state(), "requeued work is not a dead letter");
    assertTrue(table.status("d4").isEmpty());
  }

  @Test
  void deadLettersOlderThanTheRetentionAreForgottenAndARequeuedOneCountsFromItsNewDeath() {
    kill("old");
    clock.advance(Duration.ofMinutes(1));
    kill("new");
    long cutoff = clock.millis() - 30_000;
    table.revive("old", clock.millis());
    result("old", 3, ResultStatus.FAILED);
    assertEquals(WorkState.DEAD, table.status("old").orElseThrow().state());
    assertEquals(0, table.forgetDead(cutoff, 100), "'old' died again after the cutoff");
    clock.advance(Duration.ofMinutes(1));
    assertEquals(2, table.forgetDead(clock.millis() - 30_000, 100));
    assertEquals(0, table.deadCount());
  }

  private static byte[] completedAt(String id, long at) {
    WorkRecord r = new WorkRecord(id, "default", at - 10, at + 60_000, 60, 1, 1);
    r.state = WorkState.COMPLETED;
    r.updatedAt = at;
    r.partition = 0;
    r.offset = 1;
    return new WorkStateCodec(WireCodec.defaults()).encode(r);
  }

  /**
   * A rebuild reads the state topic partition by partition, not in the order the work finished: the
   * cap forgot the items read first, newer ones among them, and kept older ones.
   */
  @Test
  void finishedWorkRestoredOutOfOrderIsForgottenOldestFirst() {
    String[] problem = new String[1];
    for (String id : List.of("t4", "t1", "t3", "t2")) {
      assertTrue(table.restore(id, completedAt(id, 1_000L * (id.charAt(1) - '0')), problem).isPresent(), problem[0]);
    }
    table.rebuilt();
    assertEquals(2, table.forgetFinished(0, 2));
    assertTrue(table.status("t1").isEmpty() && table.status("t2").isEmpty(), "the two oldest go");
    assertTrue(table.status("t3").isPresent() && table.status("t4").isPresent(), "the two newest stay");
  }

  /** A second record of a finished item (mirrored, or restored) counted it twice towards the cap. */
  @Test
  void aFinishedItemWhoseRecordComesTwiceCountsOnceTowardsTheCap() {
    String[] problem = new String[1];
    table.follow("older", completedAt("older", 1_000), problem);
    table.follow("newer", completedAt("newer", 2_000), problem);
    table.follow("newer", completedAt("newer", 2_000), problem);
    table.restore("r", completedAt("r", 3_000), problem);
    table.restore("r", completedAt("r", 3_000), problem);
    assertEquals(0, table.forgetFinished(0, 3), "three finished items, a cap of three");
    assertTrue(table.status("older").isPresent());
    assertEquals(1, table.forgetFinished(0, 2));
    assertTrue(table.status("older").isEmpty() && table.status("newer").isPresent() && table.status("r").isPresent());
  }

  @Test
  void aMirroredDeadLetterGoesWithItsOwnersTombstone() {
    WorkRecord r = new WorkRecord("m", "default", clock.millis(), clock.millis() + 60_000, 60, 2, 2);
    r.state = WorkState.DEAD;
    r.updatedAt = clock.millis();
    String[] problem = new String[1];
    assertTrue(table.follow("m", new WorkStateCodec(WireCodec.defaults()).encode(r), problem).isPresent(), problem[0]);
    assertEquals(1, table.deadCount());
    table.followForgotten("m");
    assertTrue(table.status("m").isEmpty());
    assertEquals(0, table.deadCount());
  }

  @Test
  void discardDeletesOnlyADeadLetter() {
    kill("d");
    add("done", 1, 60);
    result("done", 1, ResultStatus.COMPLETED);
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(GoWorkException.class, () -> table.discard("zz")).code());
    GoWorkException notDead = assertThrows(GoWorkException.class, () -> table.discard("done"));
    assertEquals(ErrorCode.CONFLICT, notDead.code());
    assertEquals("work done is completed, not dead", notDead.getMessage());
    table.discard("d");
    assertTrue(table.status("d").isEmpty());
    assertEquals(0, table.deadCount());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(GoWorkException.class, () -> table.revive("d", 0)).code());
  }

  @Test
  void aFinishWatcherIsSignalledWhenItsItemEndsAndOneThatGaveUpLeavesNothing() {
    add("a", 1, 60);
    add("b", 2, 60);
    var onA = table.watchFinish("a");
    var onB = table.watchFinish("b");
    var gaveUp = table.watchFinish("b");
    table.unwatchFinish("b", gaveUp);
    result("b", 1, ResultStatus.FAILED);
    assertFalse(onB.isDone(), "a retry is not the end");
    result("a", 1, ResultStatus.COMPLETED);
    assertTrue(onA.isDone());
    table.cancel("b", null, clock.millis());
    assertTrue(onB.isDone());
    assertFalse(gaveUp.isDone());
    var onNothing = table.watchFinish("c");
    table.finishAllWatches();
    assertTrue(onNothing.isDone(), "closing signals everyone");
  }

  @Test
  void queuedRunningAndRetryingWorkCanBeCancelledOnceAndItsLateResultIsRefused() {
    add("q", 1, 60);
    add("r", 1, 60);
    table.start("r", 1, "w-1", clock.millis());
    add("w", 2, 60);
    result("w", 1, ResultStatus.FAILED);
    clock.advance(Duration.ofMillis(700));
    WorkStatus q = table.cancel("q", "  not needed  ", clock.millis());
    assertEquals(WorkState.CANCELLED, q.state());
    assertEquals("cancelled: not needed", q.error());
    assertEquals(WorkState.CANCELLED, table.cancel("r", null, clock.millis()).state());
    assertEquals("cancelled", table.status("r").orElseThrow().error());
    assertEquals(WorkState.CANCELLED, table.cancel("w", "", clock.millis()).state());
    assertFalse(table.retried("w", 2, clock.millis()), "a cancelled retry is not queued again");
    assertEquals(Map.of("default", 0L), table.sizes());
    GoWorkException again = assertThrows(GoWorkException.class, () -> table.cancel("q", null, clock.millis()));
    assertEquals(ErrorCode.CONFLICT, again.code());
    assertEquals("work q is already cancelled; only scheduled, queued, running or retrying work can be cancelled",
        again.getMessage());
    assertEquals("work is already cancelled", result("r", 1, ResultStatus.COMPLETED).rejection());
    assertFalse(table.noteRunning("q", 1, "w-2", null, clock.millis()).accepted());
    assertFalse(table.start("q", 1, "w-2", clock.millis()).accepted(), "an HTTP worker is not handed it");
    assertEquals(List.of(EventType.WORK_CANCELLED), typesFor("q"));
    assertEquals(List.of(EventType.WORK_STARTED, EventType.WORK_CANCELLED), typesFor("r"));
    Event cancelled = log.of(EventType.WORK_CANCELLED, "r").get(0);
    assertEquals("w-1", cancelled.workerId(), "the event names the worker that was running it");
    assertEquals(700L, cancelled.durationMs());
    assertEquals("not needed", log.of(EventType.WORK_CANCELLED, "q").get(0).error());
  }

  @Test
  void finishedUnknownAndExpiredWorkIsNotCancelled() {
    add("done", 1, 60);
    result("done", 1, ResultStatus.COMPLETED);
    addAndFailTwice("dead", 60);
    add("late", 1, 1);
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(GoWorkException.class,
        () -> table.cancel("zz", null, clock.millis())).code());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class,
        () -> table.cancel("done", null, clock.millis())).code());
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class,
        () -> table.cancel("dead", null, clock.millis())).code(), "a dead letter is deleted, not cancelled");
    clock.advance(Duration.ofSeconds(2));
    GoWorkException expired = assertThrows(GoWorkException.class, () -> table.cancel("late", null, clock.millis()));
    assertTrue(expired.getMessage().contains("is already timed_out"), expired.getMessage());
    assertEquals(List.of(EventType.WORK_TIMEOUT), typesFor("late"), "the deadline decided it, once");
  }

  @Test
  void scheduledWorkIsReleasedOnceWhenDueAndTakesNoResultBefore() {
    Instant now = clock.instant();
    WorkEnvelope w = new WorkEnvelope("s", "default", 1, 1, 60, TextNode.valueOf("x"), now, now.plusSeconds(90));
    table.scheduled(w, now.plusSeconds(30).toEpochMilli(), now.toEpochMilli());
    WorkStatus s = table.status("s").orElseThrow();
    assertEquals(WorkState.SCHEDULED, s.state());
    assertEquals(now.plusSeconds(30), s.runAt());
    assertTrue(table.ref("s").orElseThrow().parked(), "its payload waits on the scheduled topic");
    assertEquals(Map.of("default", 1L), table.sizes());
    assertTrue(result("s", 1, ResultStatus.COMPLETED).rejection().startsWith("work is scheduled for"));
    assertFalse(table.start("s", 1, "w-1", clock.millis()).accepted(), "not handed out before it is due");
    assertTrue(table.released("s", clock.millis()));
    assertFalse(table.released("s", clock.millis()), "released once");
    assertEquals(WorkState.QUEUED, table.status("s").orElseThrow().state());
    assertTrue(table.ref("s").orElseThrow().parked());
    assertTrue(result("s", 1, ResultStatus.COMPLETED).accepted());
    assertEquals(List.of(EventType.WORK_COMPLETE), typesFor("s"), "release fires nothing; add_work fired at the add");
  }

  @Test
  void scheduledWorkPastItsDeadlineTimesOutInsteadOfBeingReleased() {
    Instant now = clock.instant();
    WorkEnvelope w = new WorkEnvelope("late", "default", 1, 1, 5, TextNode.valueOf("x"), now, now.plusSeconds(15));
    table.scheduled(w, now.plusSeconds(10).toEpochMilli(), now.toEpochMilli());
    clock.advance(Duration.ofSeconds(16));
    assertFalse(table.released("late", clock.millis()));
    assertEquals(WorkState.TIMED_OUT, table.status("late").orElseThrow().state());
  }

  @Test
  void aCancelledItemIsForgottenWithTheFinishedWork() {
    add("c", 1, 60);
    table.cancel("c", null, clock.millis());
    clock.advance(Duration.ofSeconds(10));
    assertEquals(1, table.forgetFinishedBefore(clock.millis()));
    assertTrue(table.status("c").isEmpty());
  }

  @Test
  void racingTimeoutAndCompletionFireExactlyOneTerminalEvent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 200; i++) {
        add("r" + i, 1, 1);
      }
      clock.advance(Duration.ofMillis(999));
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger accepted = new AtomicInteger();
      for (int i = 0; i < 200; i++) {
        String id = "r" + i;
        long at = clock.millis() + (i % 2);
        pool.execute(() -> {
          await(go);
          table.expire(id, at);
        });
        pool.execute(() -> {
          await(go);
          if (table.applyResult(new ResultEnvelope(id, 1, ResultStatus.COMPLETED, null, null, null, -1), "w", at)
              .accepted()) {
            accepted.incrementAndGet();
          }
        });
      }
      go.countDown();
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      events.close();
      long terminal = log.all().stream()
          .filter(e -> e.type() == EventType.WORK_COMPLETE || e.type() == EventType.WORK_TIMEOUT).count();
      assertEquals(200, terminal);
      assertEquals(accepted.get(), log.of(EventType.WORK_COMPLETE).size());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
