package dev.gowork.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Envelope encode and decode: what the coordinator does per add and per result, and a worker per record. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireCodecBenchmark {
  private final WireCodec codec = WireCodec.defaults();
  private WorkEnvelope work;
  private ResultEnvelope result;
  private byte[] workBytes;
  private byte[] resultBytes;
  private Event event;
  private byte[] eventBytes;

  @Setup
  public void setUp() {
    JsonNode data = codec.mapper().createObjectNode().put("bench", "x".repeat(88));
    Instant now = Instant.parse("2026-01-01T00:00:00.123Z");
    work = new WorkEnvelope(UUID.randomUUID().toString(), "default", 1, 1, 300, data, now, now.plusSeconds(300));
    result = new ResultEnvelope(work.workId(), 1, ResultStatus.COMPLETED, null, null, "w-0123456789abcdef", 3);
    workBytes = codec.encode(work);
    resultBytes = codec.encode(result);
    event = new Event(UUID.randomUUID().toString(), EventType.WORK_COMPLETE, now.plusMillis(3), "default",
        work.workId(), "w-0123456789abcdef", 1, 3L, null);
    eventBytes = codec.encode(event);
  }

  @Benchmark
  public byte[] encodeWork() {
    return codec.encode(work);
  }

  @Benchmark
  public Object decodeWork() {
    return codec.decodeWork(workBytes).value();
  }

  @Benchmark
  public byte[] encodeResult() {
    return codec.encode(result);
  }

  @Benchmark
  public Object decodeResult() {
    return codec.decodeResult(resultBytes).value();
  }

  @Benchmark
  public byte[] encodeEvent() {
    return codec.encode(event);
  }

  @Benchmark
  public Object decodeEvent() {
    return codec.decodeEvent(eventBytes).value();
  }
}
