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
}
