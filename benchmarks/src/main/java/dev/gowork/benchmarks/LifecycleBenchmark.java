package dev.gowork.benchmarks;

import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * State transitions: the lifecycle table lookup, and one item's whole trip through the work table
 * (queued, running, completed, with its events handed to an in-process sink).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LifecycleBenchmark {
  private final WireCodec codec = WireCodec.defaults();
  private EventDispatcher events;
  private WorkTable table;
  private WorkEnvelope template;
  private long now;
  private int next;

  @Setup(Level.Iteration)
  public void setUp() {
    events = new EventDispatcher(Clock.systemUTC(), e -> { });
    table = new WorkTable(events, codec);
    Instant t = Instant.now();
    now = t.toEpochMilli();
    template = new WorkEnvelope("x", "default", 1, 1, 3600, codec.mapper().createObjectNode(), t, t.plusSeconds(3600));
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    events.close();
  }

  @Benchmark
  public boolean lifecycleAllows() {
    WorkState[] s = WorkState.values();
    int i = next++;
    return Lifecycle.allows(s[i % s.length], s[(i / s.length) % s.length]);
  }

  /** add → start → completed for one new item, then forgotten (so the table does not grow). */
  @Benchmark
  public Object queuedRunningCompleted() {
    String id = UUID.randomUUID().toString();
    table.queued(new WorkEnvelope(id, template.queue(), 1, 1, 3600, template.data(), template.createdAt(),
        template.deadline()),
        now);
    table.start(id, 1, "w-1", now);
    Object v = table.applyResult(new ResultEnvelope(id, 1, ResultStatus.COMPLETED, null, null, "w-1", 1), "w-1", now);
    table.forget(id);
    return v;
  }
}
