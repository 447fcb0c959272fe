package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.testing.Works;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A result whose value is just under the codec's 1 MiB limit is still too big for Kafka once the
 * record's key, headers and batch overhead are added (the producer's {@code max.request.size} is
 * 1 MiB too). docs/worker.md promises a {@code failed} result that says it was too big; the record
 * must not be handed back to run again. Before the fix, the send failed with
 * {@code RecordTooLargeException}, the record was released and run again until the delivery limit,
 * and no result was ever written.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ResultSizeTest {

  @Test
  void aResultJustUnderTheCodecLimitIsStillWrittenOnceAndTheWorkRunsOnce(TestKafka kafka) throws Exception {
    WireCodec codec = WireCodec.defaults();
    AtomicInteger runs = new AtomicInteger();
    try (RuntimeFixture f = new RuntimeFixture(kafka); ResultsReader results = f.results()) {
      WorkerRuntime[] runtime = new WorkerRuntime[1];
      runtime[0] = f.start(f.settings(1).deliveryLimit(3), (data, ctx) -> {
        runs.incrementAndGet();
        // The envelope around an empty string, as the runtime will encode it (duration 0..99999 ms).
        int overhead = codec.encode(new ResultEnvelope(ctx.workId(), ctx.attempt(), ResultStatus.COMPLETED,
            JsonNodeFactory.instance.textNode(""), null, runtime[0].workerId(), 99_999)).length;
        int target = codec.maxRecordBytes() - 16; // under the codec's limit: not replaced by the runtime
        return JsonNodeFactory.instance.textNode("a".repeat(target - overhead));
      });
      WorkEnvelope w = f.work(Works.data(), Duration.ofMinutes(2));
      f.send(w);
      // Either a result arrives, or the record comes back for a second run: whichever happens first.
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<ResultsReader.Result> got = List.of();
      while (System.nanoTime() < end && got.isEmpty() && runs.get() < 2) {
        got = results.drain(Duration.ofMillis(200));
      }
      assertEquals(1, runs.get(), "runs of the work (counters " + runtime[0].counters() + ")");
      got = results.await("a result", x -> !x.isEmpty(), Duration.ofSeconds(30));
      ResultEnvelope r = got.get(0).envelope();
      assertEquals(w.workId(), r.workId());
      assertEquals(ResultStatus.FAILED, r.status(), r.toString());
      assertTrue(r.error().contains("over the limit"), r.error());
      f.assertSigned(got.get(0));
    }
  }
}
