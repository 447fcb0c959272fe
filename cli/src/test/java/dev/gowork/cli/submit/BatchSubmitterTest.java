package dev.gowork.cli.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSubmitterTest {
  private static String ranges(List<int[]> chunks) {
    return String.join(" ", chunks.stream().map(r -> r[0] + "-" + r[1]).toList());
  }

  @Test
  void chunksHoldAtMostMaxItems() {
    int[] sizes = new int[2500];
    Arrays.fill(sizes, 10);
    assertEquals("0-1000 1000-2000 2000-2500", ranges(BatchSubmitter.chunks(sizes, 1000, 1 << 20)));
  }

  @Test
  void chunksStayUnderMaxBytesAndABigItemTravelsAlone() {
    assertEquals("0-2 2-3 3-4 4-6", ranges(BatchSubmitter.chunks(new int[] {40, 50, 30, 500, 10, 10}, 10, 100)));
  }

  @Test
  void noItemsNoChunks() {
    assertEquals("", ranges(BatchSubmitter.chunks(new int[0], 10, 100)));
  }
}
