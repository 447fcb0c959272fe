package dev.gowork.cli.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TerminalTextTest {
  @Test
  void whatATerminalWouldActOnIsEscapedAndTheRestShownAsItIs() {
    assertEquals("esc\\u001b[2J c1\\u009b tab\\t nl\\n rlo\\u202e ls\\u2028 bs\\ \"q\" é \uD83D\uDE00",
        TerminalText.shown("esc\u001b[2J c1\u009b tab\t nl\n rlo\u202e ls\u2028 bs\\ \"q\" é \uD83D\uDE00"));
    assertNull(TerminalText.shown(null));
  }

  @Test
  void formatCharactersBeyondTheBmpAndLoneSurrogatesAreEscaped() {
    assertEquals("tag\\udb40\\udc41 lone\\ud800", TerminalText.shown("tag\uDB40\uDC41 lone\uD800"));
  }

  @Test
  void quotedTextAlsoEscapesItsQuotesAndBackslashes() {
    assertEquals("\"a \\\"b\\\" c\\\\d\\u001b\"", TerminalText.quoted("a \"b\" c\\d\u001b"));
  }
}
