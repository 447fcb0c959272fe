package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.testing.Works;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A result the coordinator cannot read back (its codec, like the worker's, refuses a number over
 * 1,000 digits or a field name over 50,000 characters: Jackson's read limits) must be reported
 * {@code failed}, as a too-deep one is, not written unreadable: the coordinator drops an undecodable
 * result as {@code record_rejected}, while the worker ACCEPTs the record, so the work would get no
 * outcome until its deadline.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ResultReadableTest {

  @Test
  void aResultWithAHugeNumberIsReportedFailedInsteadOfWrittenUnreadable(TestKafka kafka) throws Exception {
    ResultEnvelope r = readBack(kafka, (data, ctx) -> JsonNodeFactory.instance.objectNode()
        .put("n", BigInteger.TEN.pow(1_200)));
    assertEquals(ResultStatus.FAILED, r.status(), r.toString());
    assertTrue(r.error().contains("could not be read back"), r.error());
  }

  @Test
  void aResultWithAHugeFieldNameIsReportedFailedInsteadOfWrittenUnreadable(TestKafka kafka) throws Exception {
    ResultEnvelope r = readBack(kafka, (data, ctx) -> JsonNodeFactory.instance.objectNode()
        .put("k".repeat(60_000), 1));
    assertEquals(ResultStatus.FAILED, r.status(), r.toString());
    assertTrue(r.error().contains("could not be read back"), r.error());
  }

  /** Runs one item through {@code handler}; decodes the value written, as the coordinator does. */
  private static ResultEnvelope readBack(TestKafka kafka, WorkHandler handler) throws Exception {
    WireCodec codec = WireCodec.defaults();
    try (RuntimeFixture f = new RuntimeFixture(kafka);
        Consumer<String, byte[]> c = kafka.clients().consumer(null, Map.of())) {
      f.start(f.settings(1), handler);
      f.send(f.work(Works.data(), Duration.ofMinutes(2)));
      List<TopicPartition> parts = c.partitionsFor(f.topics.results()).stream()
          .map(p -> new TopicPartition(f.topics.results(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      List<byte[]> values = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.isEmpty() && System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
          values.add(rec.value());
        }
      }
      assertEquals(1, values.size(), "one result written");
      Decoded<ResultEnvelope> d = codec.decodeResult(values.get(0));
      assertTrue(d.isOk(), "the coordinator's codec refuses the result written: " + d);
      return d.value();
    }
  }
}
