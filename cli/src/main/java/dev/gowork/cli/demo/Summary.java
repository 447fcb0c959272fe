package dev.gowork.cli.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The demo's closing report. Pure function of what was measured. */
final class Summary {
  private Summary() {}

  /**
   * @param wallNanos from the first submit to the last outcome
   * @param logs the child log files
   */
  static String render(int items, Tally.Snapshot s, long wallNanos, Histogram latency, int unknownLatency,
      List<Path> logs) {
    double seconds = Math.max(wallNanos, 1) / 1e9;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "demo: %,d items, %,d completed in %.1f s (%,.0f items/s)%n",
        items, s.completed(), seconds, s.finished() / seconds));
    if (latency.getTotalCount() > 0) {
      b.append(String.format(Locale.ROOT, "  latency add -> work_complete: p50 %,d ms, p99 %,d ms, max %,d ms%n",
          latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), latency.getMaxValue()));
    }
    if (unknownLatency > 0) {
      b.append(String.format(Locale.ROOT, "  (latency unknown for %,d completions)%n", unknownLatency));
    }
    b.append(String.format(Locale.ROOT, "  failed %,d, timed out %,d, not finished %,d%n",
        s.failed(), s.timedOut(), Math.max(0, items - s.finished())));
    if (s.rejectedRecords() > 0) {
      b.append(String.format(Locale.ROOT, "  %,d event records could not be decoded%n", s.rejectedRecords()));
    }
    b.append("  logs:");
    logs.forEach(l -> b.append(' ').append(l));
    return b.append(System.lineSeparator()).toString();
  }
}
