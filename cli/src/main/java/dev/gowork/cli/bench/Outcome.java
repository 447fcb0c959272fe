package dev.gowork.cli.bench;

import java.util.Locale;

/**
 * What one workload measured on one loop; {@link #resultLine()} is the machine-readable summary.
 *
 * @param throughputPerSecond completed items per second from the first send to the last completion
 * @param cpuNanos CPU time of every process of the run (broker and clients included) over the workload
 * @param load the one-minute load average when the workload ended (-1 when unknown)
 * @param jitMillis CPU time of this JVM's JIT compiler threads over the workload (included in {@code cpuNanos})
 * @param brokerCpuNanos CPU time of the run's broker process over the workload (included in {@code cpuNanos};
 *     0 when the broker is not a child of the run)
 * @param stages GoWork's stage percentiles in ms ({@code applied_p50_ms=… applied_p99_ms=… handler_lag_p50_ms=…
 *     handler_lag_p99_ms=…}), or "" when the loop has none
 */
record Outcome(String loop, String workload, long n, double throughputPerSecond, double p50Millis,
    double p99Millis, double p999Millis, long cpuNanos, long peakHeapBytes, long duplicates, double load,
    long jitMillis, long brokerCpuNanos, String stages) {

  static Outcome of(String loop, String workload, Tracker t, ResourceMeter m, double load) {
    double seconds = t.spanNanos() / 1e9;
    return new Outcome(loop, workload, t.completed(), seconds > 0 ? t.completed() / seconds : 0,
        t.latencyMillis(50), t.latencyMillis(99), t.latencyMillis(99.9), m.cpuNanos(), m.peakHeapBytes(),
        t.duplicates(), load, m.jitMillisSinceStart(), m.brokerCpuNanos(), stages(t));
  }

  private static String stages(Tracker t) {
    if (t.appliedMillis(50) < 0) {
      return "";
    }
    return String.format(Locale.ROOT, " applied_p50_ms=%d applied_p99_ms=%d handler_lag_p50_ms=%d handler_lag_p99_ms=%d",
        t.appliedMillis(50), t.appliedMillis(99), t.handlerLagMillis(50), t.handlerLagMillis(99));
  }

  /** CPU microseconds per completed item. */
  double cpuMicrosPerItem() {
    return n == 0 ? 0 : cpuNanos / 1e3 / n;
  }

  /** {@code RESULT gowork workload=burst n=100000 throughput_per_s=… p50_ms=… p99_ms=… …}. */
  String resultLine() {
    return String.format(Locale.ROOT, "RESULT %s workload=%s n=%d throughput_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
        + "p999_ms=%.2f cpu_s=%.2f cpu_us_per_item=%.1f peak_heap_mib=%d duplicates=%d load1=%.2f jit_s=%.2f broker_cpu_s=%.2f%s", loop, workload,
        n, throughputPerSecond, p50Millis, p99Millis, p999Millis, cpuNanos / 1e9, cpuMicrosPerItem(),
        peakHeapBytes >> 20, duplicates, load, jitMillis / 1e3, brokerCpuNanos / 1e9, stages);
  }

  /** {@code RATIO workload=burst throughput=0.61 p50=1.3 p99=1.1 cpu_per_item=2.0} (this over {@code raw}). */
  String ratioLine(Outcome raw) {
    return String.format(Locale.ROOT, "RATIO gowork/raw workload=%s throughput=%.2f p50=%.2f p99=%.2f "
        + "cpu_per_item=%.2f", workload, div(throughputPerSecond, raw.throughputPerSecond),
        div(p50Millis, raw.p50Millis), div(p99Millis, raw.p99Millis), div(cpuMicrosPerItem(), raw.cpuMicrosPerItem()));
  }

  private static double div(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }
}
