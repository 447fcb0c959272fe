package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Security review: how results on the results topic are authenticated. */
@ExtendWith(KafkaExtension.class)
class ResultAuthReviewTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Until the result was applied (the work left QUEUED/RUNNING) or refused. */
  private void decided(String workId) {
    Poll.until(() -> !log.of(EventType.RESULT_REJECTED, workId).isEmpty()
        || server.status(workId).map(st -> st.state() != WorkState.RUNNING && st.state() != WorkState.QUEUED)
            .orElse(false), WAIT, "the result of " + workId + " decided");
  }

  /**
   * The contract signs "timestamp = epoch milliseconds, the same string as the gowork-timestamp
   * header". A header that is another spelling of the signed number ("+…", leading zeros) is taken.
   */
  @Test
  void aTimestampHeaderOtherThanTheSignedStringIsRefused(TestKafka k) {
    start(k);
    Session s = handshake();
    server.add(server.createWork(Map.of("n", 1), 60));
    var w = worker(s);
    WorkEnvelope got = w.take(WAIT);
    SignedResult signed = SignedResult.sign(WireCodec.defaults(),
        new ResultEnvelope(got.workId(), got.attempt(), ResultStatus.COMPLETED, null, null, null, 1),
        s.workerId(), s.sessionKey(), clock);
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.results(), got.workId(), signed.value());
    r.headers().add(ResultHeaders.WORKER_ID, s.workerId().getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.TIMESTAMP, ("+0" + signed.timestampMillis()).getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.SIGNATURE, signed.signature().getBytes(StandardCharsets.UTF_8));
    w.send(r);
    decided(got.workId());
    assertEquals(1, log.of(EventType.RESULT_REJECTED, got.workId()).size(),
        "state " + server.status(got.workId()).orElseThrow().state());
  }
}
