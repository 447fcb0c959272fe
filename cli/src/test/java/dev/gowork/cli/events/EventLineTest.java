package dev.gowork.cli.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.cli.settings.CliException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLineTest {
  private static final Instant T = Instant.parse("2026-11-28T10:00:00.123Z");

  @Test
  void aTerminalEventShowsEveryField() {
    Event e = new Event("id", EventType.WORK_COMPLETE, T, "default", "wk-1", "w-9", 1, 12L, null);
    assertEquals("2026-11-28T10:00:00.123Z work_complete        queue=default work=wk-1 worker=w-9 attempt=1 durationMs=12",
        EventLine.format(e));
  }

  @Test
  void aFailureShowsTheAttemptsItMayHaveSoAFinalOneCanBeToldApart() {
    Event e = new Event("id", EventType.WORK_FAILED, T, "default", "wk-1", "w-9", 3, 3, 40L, "boom");
    assertEquals("2026-11-28T10:00:00.123Z work_failed          queue=default work=wk-1 worker=w-9 attempt=3 maxAttempts=3"
        + " durationMs=40 error=\"boom\"", EventLine.format(e));
  }

  @Test
  void fieldsThatDoNotApplyAreLeftOutAndErrorsAreQuotedOnOneLine() {
    Event e = new Event("id", EventType.WORKER_VERIFY_ERROR, T, null, null, "w-9", null, null, "bad \"answer\"\nagain");
    assertEquals("2026-11-28T10:00:00.123Z worker_verify_error  worker=w-9 error=\"bad \\\"answer\\\"\\nagain\"",
        EventLine.format(e));
  }

  @Test
  void aWorkersNameIsShownQuotedAfterItsIdSoSpacesAndQuotesCannotPassForOtherFields() {
    Event e = new Event("id", EventType.WORKER_VERIFY, T, null, null, "w-9", "build \"7\" error=x", null, null, null,
        null);
    assertEquals("2026-11-28T10:00:00.123Z worker_verify        worker=w-9 workerName=\"build \\\"7\\\" error=x\"",
        EventLine.format(e));
  }

  /**
   * An error is whatever a handler threw, and the topic's text whatever its writers put there: escape
   * sequences (ESC, a C1 CSI), a right-to-left override or a line separator reached the terminal as they
   * were, able to recolour, move the cursor or hide what follows.
   */
  @Test
  void controlAndFormatCharactersInFreeTextAreEscapedNotSentToTheTerminal() {
    String error = "red\u001b[31m csi\u009b2J tab\t rlo\u202eevil ls\u2028end bell\u0007 é ok";
    Event e = new Event("id", EventType.WORK_FAILED, T, "default", "wk-1", "w-9", 1, 1, 5L, error);
    assertEquals("2026-11-28T10:00:00.123Z work_failed          queue=default work=wk-1 worker=w-9 attempt=1 maxAttempts=1"
        + " durationMs=5 error=\"red\\u001b[31m csi\\u009b2J tab\\t rlo\\u202eevil ls\\u2028end bell\\u0007 é ok\"",
        EventLine.format(e));
  }

  /**
   * A format character beyond the BMP is two chars, neither of them a format character: tag characters
   * (U+E0000-E007F), which terminals draw as nothing and which can carry hidden text, reached the terminal.
   * An emoji is shown as it is; a lone surrogate is escaped.
   */
  @Test
  void formatCharactersBeyondTheBmpAreEscapedToo() {
    String error = "tag\uDB40\uDC41\uDB40\uDC7F smile\uD83D\uDE00 lone\uD800.";
    Event e = new Event("id", EventType.WORK_FAILED, T, null, "wk-1", null, 1, null, error);
    assertEquals("2026-11-28T10:00:00.123Z work_failed          work=wk-1 attempt=1 error=\"tag\\udb40\\udc41"
        + "\\udb40\\udc7f smile\uD83D\uDE00 lone\\ud800.\"", EventLine.format(e));
  }

  /** A queue or id read from the topic is shown as it is only when it is plain; otherwise quoted and escaped. */
  @Test
  void anIdentifierThatIsNotPlainIsQuotedAndEscaped() {
    Event e = new Event("id", EventType.ADD_WORK, T, "q \u001b[2J", "wk=1 x", null, null, null, null);
    assertEquals("2026-11-28T10:00:00.123Z add_work             queue=\"q \\u001b[2J\" work=\"wk=1 x\"",
        EventLine.format(e));
  }

  @Test
  void theFilterKeepsTheGivenTypesAndQueues() {
    EventFilter f = EventFilter.parse(List.of("work_complete,work_timeout"), List.of("images"));
    assertTrue(f.test(new Event("i", EventType.WORK_TIMEOUT, T, "images", "w", null, 1, 5L, null)));
    assertFalse(f.test(new Event("i", EventType.WORK_TIMEOUT, T, "default", "w", null, 1, 5L, null)));
    assertFalse(f.test(new Event("i", EventType.ADD_WORK, T, "images", "w", null, null, null, null)));
    assertFalse(EventFilter.parse(List.of(), List.of("images")).test(new Event("i", EventType.WORKER_REGISTERED, T,
        null, null, "w-1", null, null, null)), "an event without a queue is hidden, not a crash");
    assertTrue(EventFilter.parse(List.of(), List.of()).test(new Event("i", EventType.ADD_WORK, T, null, "w", null, null,
        null, null)));
  }

  @Test
  void anUnknownTypeIsAUsageErrorListingTheKnownOnes() {
    CliException e = assertThrows(CliException.class, () -> EventFilter.parse(List.of("work_done"), List.of()));
    assertTrue(e.getMessage().startsWith("--type: unknown event type 'work_done'; known: add_handler_error, add_work"),
        e.getMessage());
  }
}
