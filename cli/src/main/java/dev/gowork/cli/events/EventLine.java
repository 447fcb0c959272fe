package dev.gowork.cli.events;

import dev.gowork.broker.wire.Event;

/**
 * One event as one human-readable line: the time, the type, then {@code name=value} for each field
 * that applies, e.g.
 * {@code 2026-11-28T10:00:00.123Z work_complete       queue=default work=5b0c… worker=w-1f… attempt=1 durationMs=12};
 * free text ({@code workerName}, {@code error}) is quoted.
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

  /**
   * Free text (a worker's name may hold spaces, an error anything a handler threw), in quotes: quotes and
   * backslashes escaped, and every character a terminal could act on or that would hide the rest (control
   * characters, among them ESC, C1 controls, Unicode format characters such as a right-to-left override,
   * line and paragraph separators, in or beyond the BMP, and a lone surrogate) written as an escape: a backslash
   * and {@code n}, {@code r}, {@code t}, or {@code u} and four hex digits (one per UTF-16 unit).
   */
  private static void quoted(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(name).append("=\"");
      // By code point: a format character beyond the BMP (a tag character, U+E0000-E007F, hides text) is
      // two chars, each of which alone looks harmless.
      value.codePoints().forEach(c -> {
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '"' -> b.append("\\\"");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (shownAsIs(c)) {
              b.appendCodePoint(c);
            } else {
              for (char unit : Character.toChars(c)) {
                b.append(String.format("\\u%04x", (int) unit));
              }
            }
          }
        }
      });
      b.append("\" ");
    }
  }

  private static boolean shownAsIs(int c) {
    if (Character.isISOControl(c)) {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.UNASSIGNED && type != Character.PRIVATE_USE && type != Character.SURROGATE;
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
