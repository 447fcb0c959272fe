package dev.gowork.broker.signing;

import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.WireCodec;
import java.time.Clock;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A result envelope encoded once and signed under a worker's session key, ready for
 * {@code <p>.results}: key = work id, value = {@link #value()}, headers = {@link ResultHeaders}.
 *
 * <pre>{@code
 * SignedResult r = SignedResult.sign(codec, envelope, workerId, sessionKey, clock);
 * producer.send(r.toRecord(topics.results()));
 * }</pre>
 */
public record SignedResult(ResultEnvelope result, byte[] value, String workerId, long timestampMillis, String signature) {

  public SignedResult {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(signature, "signature");
  }

  /** Encodes and signs {@code result} at the clock's current time. */
  public static SignedResult sign(WireCodec codec, ResultEnvelope result, String workerId, String sessionKey, Clock clock) {
    byte[] value = codec.encode(result);
    long ts = clock.millis();
    String sig = Signatures.signResult(sessionKey, result.workId(), result.attempt(), result.status(), ts, value);
    return new SignedResult(result, value, workerId, ts, sig);
  }

  /** True when the signature matches this value under {@code sessionKey} (constant time). */
  public boolean verify(String sessionKey) {
    return Signatures.checkResult(sessionKey, result.workId(), result.attempt(), result.status(),
        timestampMillis, value, signature);
  }

  /** The Kafka record for the results topic. */
  public ProducerRecord<String, byte[]> toRecord(String resultsTopic) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(resultsTopic, result.workId(), value);
    ResultHeaders.write(r.headers(), workerId, timestampMillis, signature);
    return r;
  }
}
