package dev.gowork.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * CPU time (this JVM, which holds the coordinator and in-process workers, plus the loop's worker processes
 * and the broker's process when the run started one) and this JVM's peak used heap (sampled every 50 ms, so a peak between samples
 * may be missed) over one workload.
 */
final class ResourceMeter implements AutoCloseable {
  private static final long SAMPLE_MILLIS = 50;

  private final Loop loop;
  private final LongSupplier brokerCpuNanos;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final long cpuAtStart;
  private final long brokerCpuAtStart;
  private final long jitAtStart;
  private final Thread sampler;
  private volatile boolean running = true;

  ResourceMeter(Loop loop, LongSupplier brokerCpuNanos) {
    this.loop = loop;
    this.brokerCpuNanos = brokerCpuNanos;
    this.brokerCpuAtStart = brokerCpuNanos.getAsLong();
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

  /** CPU used by the run's broker process since this meter started, in ns (part of {@link #cpuNanos()}). */
  long brokerCpuNanos() {
    return brokerCpuNanos.getAsLong() - brokerCpuAtStart;
  }

  private long totalCpuNanos() {
    return processCpuNanos() + loop.externalCpuNanos() + brokerCpuNanos.getAsLong();
  }

  /**
   * CPU time of this JVM's JIT compiler threads over the workload, in ms (part of {@link #cpuNanos()}):
   * a loop that runs first pays for compiling the broker and client code that a later loop reuses. Read
   * from {@code /proc/self/task} on Linux (compiler threads that ended meanwhile are missed, so it can read
   * low); elsewhere the JIT's own estimate, which is wall time and so overstates it on a busy machine.
   */
  long jitMillisSinceStart() {
    // A compiler thread that ended (the JVM adds and removes them) takes its ticks along: never below 0.
    return Math.max(0, jitMillis() - jitAtStart);
  }

  private static long jitMillis() {
    long fromProc = compilerThreadsCpuMillis();
    if (fromProc >= 0) {
      return fromProc;
    }
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  /** CPU ms of the threads named {@code C1/C2 CompilerThread*}, from {@code /proc}; -1 where there is none. */
  static long compilerThreadsCpuMillis() {
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
    if (!java.nio.file.Files.isDirectory(tasks)) {
      return -1;
    }
    long ticks = 0;
    try (var dirs = java.nio.file.Files.list(tasks)) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) dirs::iterator) {
        try {
          String stat = java.nio.file.Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            String[] f = stat.substring(close + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (java.io.IOException | RuntimeException gone) {
          // the thread ended while listing
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return ticks * 10; // USER_HZ is 100 on Linux
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
