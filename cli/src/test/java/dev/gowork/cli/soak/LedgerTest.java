package dev.gowork.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ledger's rules: which events are terminal, and what counts as missing, doubled and stray. */
class LedgerTest {
  private long now = 1;
  private final Ledger ledger = new Ledger(true, () -> now);

  private void event(String workId, EventType type, int attempt) {
    ledger.record(new Event(UUID.randomUUID().toString(), type, Instant.EPOCH, "default", workId, "w-1", attempt,
        null, null), "0@" + now++);
  }

  @Test
  void oneCompletionEachIsClean() {
    ledger.accepted(List.of("a", "b"), 3);
    event("a", EventType.ADD_WORK, 1);
    event("a", EventType.WORK_COMPLETE, 1);
    event("b", EventType.WORK_COMPLETE, 2);
    event("b", EventType.RESULT_REJECTED, 1);
    Ledger.Report r = ledger.report();
    assertTrue(r.clean(), r.toString());
    assertEquals(2, r.terminal(EventType.WORK_COMPLETE));
    assertEquals(1, r.laterAttempt(), "b finished on attempt 2");
    assertEquals(2, ledger.accounted());
  }

  @Test
  void aSecondTerminalEventForOneIdIsDoubled() {
    ledger.accepted(List.of("a", "b"), 3);
    event("a", EventType.WORK_COMPLETE, 1);
    event("b", EventType.WORK_COMPLETE, 1);
    event("b", EventType.WORK_TIMEOUT, 1);
    Ledger.Report r = ledger.report();
    assertFalse(r.clean());
    assertEquals(List.of("b"), List.copyOf(r.doubled().keySet()));
    assertEquals(List.of(EventType.WORK_COMPLETE, EventType.WORK_TIMEOUT),
        r.doubled().get("b").stream().map(Ledger.Entry::type).toList());
    assertEquals(List.of(), r.missing());
  }

  @Test
  void anAcceptedIdWithoutATerminalEventIsMissing() {
    ledger.accepted(List.of("a", "b"), 3);
    event("a", EventType.WORK_COMPLETE, 1);
    event("b", EventType.ADD_WORK, 1);
    event("b", EventType.RESULT_REJECTED, 1);
    Ledger.Report r = ledger.report();
    assertFalse(r.clean());
    assertEquals(List.of("b"), r.missing());
    assertEquals(1, ledger.accounted());
    assertEquals(List.of(EventType.ADD_WORK, EventType.RESULT_REJECTED),
        ledger.history("b").stream().map(Ledger.Entry::type).toList());
  }

  @Test
  void aTerminalEventForAnIdNeverAcceptedIsStray() {
    ledger.accepted(List.of("a"), 3);
    event("a", EventType.WORK_COMPLETE, 1);
    event("z", EventType.WORK_COMPLETE, 1);
    Ledger.Report r = ledger.report();
    assertFalse(r.clean());
    assertEquals(List.of("z"), List.copyOf(r.strays().keySet()));
  }

  @Test
  void aFailureFollowedByARetryIsNotTerminal() {
    ledger.accepted(List.of("a"), 3);
    event("a", EventType.WORK_FAILED, 1);
    event("a", EventType.WORK_RETRY, 2);
    assertEquals(0, ledger.accounted(), "failed with attempts left is not the end");
    event("a", EventType.WORK_COMPLETE, 2);
    Ledger.Report r = ledger.report();
    assertTrue(r.clean(), r.toString());
    assertEquals(Map.of(EventType.WORK_COMPLETE, 1), r.terminalByType());
  }

  @Test
  void theLastFailureCountsOnceAsDead() {
    ledger.accepted(List.of("a"), 2);
    event("a", EventType.WORK_FAILED, 1);
    event("a", EventType.WORK_RETRY, 2);
    event("a", EventType.WORK_FAILED, 2);
    event("a", EventType.WORK_DEAD, 2);
    Ledger.Report r = ledger.report();
    assertTrue(r.clean(), r.toString());
    assertEquals(Map.of(EventType.WORK_DEAD, 1), r.terminalByType());
  }

  @Test
  void aFailureWaitingForItsRetryThatTimesOutCountsOnceAsTimedOut() {
    ledger.accepted(List.of("a"), 3);
    event("a", EventType.WORK_FAILED, 1);
    event("a", EventType.WORK_TIMEOUT, 1);
    Ledger.Report r = ledger.report();
    assertTrue(r.clean(), r.toString());
    assertEquals(Map.of(EventType.WORK_TIMEOUT, 1), r.terminalByType());
  }

  @Test
  void withOneAttemptAFailureIsTerminalAndAnythingAfterItDoubles() {
    ledger.accepted(List.of("a", "b"), 1);
    event("a", EventType.WORK_FAILED, 1);
    event("b", EventType.WORK_FAILED, 1);
    event("b", EventType.WORK_COMPLETE, 2);
    Ledger.Report r = ledger.report();
    assertEquals(List.of("b"), List.copyOf(r.doubled().keySet()));
    assertEquals(2, r.terminal(EventType.WORK_FAILED));
    assertEquals(List.of(), r.missing());
  }

  @Test
  void eventsReadBeforeTheIdsWereAcceptedAreJudgedWhenTheyAre() {
    event("a", EventType.WORK_COMPLETE, 1);
    event("b", EventType.WORK_FAILED, 1);
    assertEquals(0, ledger.accounted());
    now = 42;
    ledger.accepted(List.of("a", "b"), 1);
    assertEquals(2, ledger.accounted());
    assertEquals(42, ledger.lastAccountedNanos());
    assertTrue(ledger.report().clean());
  }

  @Test
  void undecodableRecordsAreCountedNotIgnored() {
    ledger.accepted(List.of("a"), 1);
    ledger.undecodable();
    Ledger.Report r = ledger.report();
    assertEquals(1, r.undecodable());
    assertEquals(List.of("a"), r.missing());
  }
}
