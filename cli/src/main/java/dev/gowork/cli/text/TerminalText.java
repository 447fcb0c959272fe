package dev.gowork.cli.text;

/**
 * Text from elsewhere (an error a handler threw, a name or a reason someone typed, whatever a topic's
 * writers put there) made safe to print on a terminal: every character a terminal could act on or that
 * would hide the rest (control characters, among them ESC and the C1 controls; Unicode format characters
 * such as a right-to-left override or the tag characters; line and paragraph separators; a lone surrogate)
 * is written as an escape, a backslash and {@code n}, {@code r}, {@code t}, or {@code u} and four hex
 * digits (one per UTF-16 unit). Read by code point: a format character beyond the BMP is two chars, each
 * of which alone looks harmless.
 */
public final class TerminalText {
  private TerminalText() {}

  /** {@code text} with what a terminal could act on escaped; null stays null. */
  public static String shown(String text) {
    return text == null ? null : escape(new StringBuilder(text.length()), text, false).toString();
  }

  /** {@code text} in double quotes, its quotes and backslashes escaped too (it cannot pass for other fields). */
  public static String quoted(String text) {
    return escape(new StringBuilder(text.length() + 2).append('"'), text, true).append('"').toString();
  }

  private static StringBuilder escape(StringBuilder b, String text, boolean quoted) {
    text.codePoints().forEach(c -> {
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\\', '"' -> b.append(quoted ? "\\" : "").appendCodePoint(c);
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
    return b;
  }

  private static boolean shownAsIs(int c) {
    if (Character.isISOControl(c)) {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.UNASSIGNED && type != Character.PRIVATE_USE && type != Character.SURROGATE;
  }
}
