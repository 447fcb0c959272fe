package dev.gowork.benchmarks;

import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import java.time.Clock;
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

/** Result signing (a worker, per result) and verification (the coordinator, per result). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SigningBenchmark {
  private final WireCodec codec = WireCodec.defaults();
  private final Clock clock = Clock.systemUTC();
  private String sessionKey;
  private ResultEnvelope result;
  private SignedResult signed;

  @Setup
  public void setUp() {
    sessionKey = Signatures.randomToken();
    result = new ResultEnvelope(UUID.randomUUID().toString(), 1, ResultStatus.COMPLETED, null, null,
        "w-0123456789abcdef", 3);
    signed = SignedResult.sign(codec, result, "w-0123456789abcdef", sessionKey, clock);
  }

  /** Encode the result and sign it (what a worker does per result). */
  @Benchmark
  public SignedResult signResult() {
    return SignedResult.sign(codec, result, "w-0123456789abcdef", sessionKey, clock);
  }

  /** Check a signed result's signature (what the coordinator does per result). */
  @Benchmark
  public boolean verifyResult() {
    return signed.verify(sessionKey);
  }

  /** The SHA-256 digest of a record value alone, part of both. */
  @Benchmark
  public String valueDigest() {
    return Signatures.valueDigest(signed.value());
  }
}
