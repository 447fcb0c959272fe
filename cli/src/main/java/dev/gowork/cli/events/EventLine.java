package dev.gowork.cli.events;

import dev.gowork.broker.wire.Event;
import dev.gowork.cli.text.TerminalText;

/**
 * One event as one human-readable line: the time, the type, then {@code name=value} for each field
 * that applies, e.g.
 * {@code 2026-11-28T10:00:00.123Z work_complete       queue=default work=5b0c… worker=w-1f… attempt=1 durationMs=12};
 * free text ({@code workerName}, {@code error}) is quoted and escaped ({@link TerminalText}).
 */
public final class EventLine {
  private static final int TYPE_WIDTH = 19;

  private EventLine() {}

  public static String format(Event e) {
    StringBuilder b = new StringBuilder(160);
    b.append(e.time()).append(' ');
    String type = e.type().id();
    b.append(type).append(" ".repeat(Math.max(1, TYPE_WIDTH + 2 - type.length())));
    field(b, "queue", e.queue());
    field(b, "work", e.workId());
    field(b, "worker", e.workerId());
    quoted(b, "workerName", e.workerName());
    field(b, "attempt", e.attempt());
    field(b, "maxAttempts", e.maxAttempts());
    field(b, "durationMs", e.durationMs());
    quoted(b, "error", e.error());
    return b.toString().stripTrailing();
  }

  /** Free text (a worker's name may hold spaces, an error anything a handler threw), quoted and escaped. */
  private static void quoted(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(name).append('=').append(TerminalText.quoted(value)).append(' ');
    }
  }

  /**
   * An identifier or a number, as it is; quoted like free text when it holds anything else (the events
   * topic is written by whoever may write to it, so a queue or id there can be any text).
   */
  private static void field(StringBuilder b, String name, Object value) {
    if (value != null) {
      String text = value.toString();
      if (plain(text)) {
        b.append(name).append('=').append(text).append(' ');
      } else {
        quoted(b, name, text);
      }
    }
  }

  private static boolean plain(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c > '~' || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
