package dev.gowork.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrackerTest {

  @Test
  void aSecondCompletionOfTheSameIdIsADuplicateNotASecondMeasurement() {
    Tracker t = new Tracker();
    t.start("a", System.nanoTime());
    t.complete("a");
    t.complete("a");
    t.complete("never-started");
    assertEquals(1, t.completed());
    assertEquals(2, t.duplicates());
  }

  @Test
  void latencyCountsFromTheStampNotFromTheCompletionCall() {
    Tracker t = new Tracker();
    t.start("a", System.nanoTime() - 50_000_000L);
    t.complete("a");
    assertTrue(t.latencyMillis(50) >= 50, "p50 " + t.latencyMillis(50));
    assertTrue(t.spanNanos() >= 50_000_000L);
  }

  @Test
  void stagesAreReportedOnlyWhenTheLoopRecordedThem() {
    Tracker t = new Tracker();
    assertEquals(-1, t.appliedMillis(50));
    t.stages(9, 12);
    t.stages(11, 14);
    assertEquals(9, t.appliedMillis(50));
    assertEquals(14, t.handlerLagMillis(99));
  }

  @Test
  void resultLineHasTheIssueFormatFirst() {
    Outcome o = new Outcome("gowork", "burst", 100_000, 25_000.4, 1.234, 5.678, 9.1, 2_000_000_000L, 300L << 20, 0, 1.5, 1200,
        3_500_000_000L, " applied_p50_ms=9 applied_p99_ms=20 handler_lag_p50_ms=12 handler_lag_p99_ms=30");
    assertTrue(o.resultLine().startsWith(
        "RESULT gowork workload=burst n=100000 throughput_per_s=25000 p50_ms=1.23 p99_ms=5.68 p999_ms=9.10 cpu_s=2.00 "
            + "cpu_us_per_item=20.0 peak_heap_mib=300"), o.resultLine());
    assertTrue(o.resultLine().endsWith(" load1=1.50 jit_s=1.20 broker_cpu_s=3.50 applied_p50_ms=9 applied_p99_ms=20 handler_lag_p50_ms=12"
        + " handler_lag_p99_ms=30"), o.resultLine());
    Outcome raw = new Outcome("raw", "burst", 100_000, 50_000.8, 1, 2, 3, 1_000_000_000L, 0, 0, 1.5, 0, 0, "");
    assertTrue(raw.resultLine().endsWith(" jit_s=0.00 broker_cpu_s=0.00"), raw.resultLine());
    assertTrue(o.ratioLine(raw).startsWith("RATIO gowork/raw workload=burst throughput=0.50 "), o.ratioLine(raw));
  }
}
