package dev.gowork.coordinator.work;

import dev.gowork.broker.wire.WireCodec;
import java.nio.charset.StandardCharsets;
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

/**
 * The coordinator's state record ({@code <p>.state}) of a completed item, encoded per transition and
 * decoded per record at rebuild. In the coordinator's package because the codec is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireCodecStateRecordBenchmark {
  private final WorkStateCodec records = new WorkStateCodec(WireCodec.defaults());
  private WorkRecord record;
  private byte[] recordBytes;
  private final String[] problem = new String[1];

  @Setup
  public void setUp() {
    record = new WorkRecord(UUID.randomUUID().toString(), "default", 1_767_225_600_123L,
        1_767_225_900_123L, 300, 1, 1);
    record.state = WorkState.COMPLETED;
    record.updatedAt = 1_767_225_600_126L;
    record.workerId = "w-0123456789abcdef";
    record.partition = 2;
    record.offset = 123_456;
    record.outcome = ("{\"bench\":\"" + "x".repeat(88) + "\"}").getBytes(StandardCharsets.UTF_8);
    recordBytes = records.encode(record);
  }

  @Benchmark
  public byte[] encodeStateRecord() {
    return records.encode(record);
  }

  @Benchmark
  public Object decodeStateRecord() {
    return records.decode(record.workId, recordBytes, problem);
  }
}
