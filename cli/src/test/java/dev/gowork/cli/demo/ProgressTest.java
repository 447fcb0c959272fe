package dev.gowork.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final Tally.Snapshot half = new Tally.Snapshot(4_400, 100, 0, 0, 0);

  @Test
  void theBarShowsShareCountsAndRate() {
    assertEquals("[#############.................]  45%  4,500/10,000  2,346/s  failed 100  timed out 0",
        Progress.bar(half, 10_000, 2345.6));
  }

  @Test
  void thePlainLineSaysTheSameInWords() {
    assertEquals("demo: 4,500 of 10,000 done (45%), 2,346/s, failed 100, timed out 0",
        Progress.plain(half, 10_000, 2345.6));
  }

  @Test
  void theSummaryHasThroughputPercentilesFailuresAndLogs() {
    Histogram h = new Histogram(3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i);
    }
    String s = Summary.render(200, new Tally.Snapshot(198, 1, 1, 0, 0), 2_000_000_000L, h, 0,
        List.of(Path.of("/d/logs/coordinator.log"), Path.of("/d/logs/worker-1.log")));
    assertTrue(s.startsWith("demo: 200 items, 198 completed in 2.0 s (100 items/s)\n"), s);
    assertTrue(s.contains("p50 50 ms, p99 99 ms, max 100 ms"), s);
    assertTrue(s.contains("failed 1, timed out 1, not finished 0"), s);
    assertTrue(s.contains("logs: /d/logs/coordinator.log /d/logs/worker-1.log"), s);
  }
}
