package dev.gowork.cli.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void columnsArePaddedNullIsADashAndLongCellsAreCut() {
    String long70 = "x".repeat(70);
    String t = new Table(List.of("A", "BEE")).row(Arrays.asList("one", null)).row(List.of("two", long70)).render();
    assertEquals("A    BEE\none  -\ntwo  " + "x".repeat(57) + "...\n", t);
  }

  /** A dead letter's error ({@code gowork dead}) is whatever its handler threw: an ESC in it must not reach the terminal. */
  @Test
  void whatATerminalWouldActOnInACellIsEscaped() {
    String t = new Table(List.of("ERROR")).row(List.of("boom\u001b]0;owned\u0007 \u202eevil")).render();
    assertEquals("ERROR\nboom\\u001b]0;owned\\u0007 \\u202eevil\n", t);
  }
}
