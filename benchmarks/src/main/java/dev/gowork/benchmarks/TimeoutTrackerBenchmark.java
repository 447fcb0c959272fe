package dev.gowork.benchmarks;

import dev.gowork.coordinator.timeout.TimeoutTracker;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Timeout tracking with {@code size} items already tracked: insert one, and expire the earliest one. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimeoutTrackerBenchmark {
  @Param({"1000", "1000000"})
  public int size;

  private TimeoutTracker tracker;
  private String[] ids;
  private long clock;
  private int next;

  @Setup(Level.Iteration)
  public void setUp() {
    tracker = new TimeoutTracker();
    ids = new String[4096];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = UUID.randomUUID().toString();
    }
    for (int i = 0; i < size; i++) {
      tracker.track(ids[i & 4095] + i, i);
    }
    clock = size;
  }

  /** Track a new item due later than all others, then expire the earliest: the heap stays at {@code size}. */
  @Benchmark
  public List<String> trackThenExpireOne() {
    tracker.track(ids[next++ & 4095], clock + size);
    clock++;
    return tracker.due(clock - size, 1);
  }

  /** Ask what is due when nothing is: the every-tick cost of ExpireTimedOutWork with no timeouts. */
  @Benchmark
  public List<String> dueWhenNothingIs() {
    return tracker.due(-1, 1000);
  }
}
