package dev.gowork.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time (this JVM, which holds the coordinator, in-process workers and the embedded broker, plus
 * the loop's worker processes) and peak used heap (sampled every 50 ms, so a peak between samples
 * may be missed) over one workload.
 */
final class ResourceMeter implements AutoCloseable {
  private static final long SAMPLE_MILLIS = 50;

  private final Loop loop;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final long cpuAtStart;
  private final long jitAtStart;
  private final Thread sampler;
  private volatile boolean running = true;

  ResourceMeter(Loop loop) {
    this.loop = loop;
    this.cpuAtStart = totalCpuNanos();
    this.jitAtStart = jitMillis();
    this.sampler = new Thread(this::sample, "SampleHeap");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** CPU used by this JVM and the loop's processes since this meter started, in ns. */
  long cpuNanos() {
    return totalCpuNanos() - cpuAtStart;
  }

  private long totalCpuNanos() {
    return processCpuNanos() + loop.externalCpuNanos();
  }

  /**
   * Time this JVM's JIT compilers spent over the workload, in ms (part of {@link #cpuNanos()}): a
   * loop that runs first pays for compiling the broker and client code that a later loop reuses.
   */
  long jitMillisSinceStart() {
    return jitMillis() - jitAtStart;
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  long peakHeapBytes() {
    return Math.max(peakHeap.get(), memory.getHeapMemoryUsage().getUsed());
  }

  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private void sample() {
    while (running) {
      peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
