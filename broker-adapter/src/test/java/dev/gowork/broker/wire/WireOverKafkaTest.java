package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every envelope type crosses a real topic unchanged; bad records come back as typed errors, not exceptions. */
@ExtendWith(KafkaExtension.class)
class WireOverKafkaTest {
  private final WireCodec codec = new WireCodec(4096);

  @Test
  void everyEnvelopeTypeRoundTripsThroughARealTopic(TestKafka kafka) throws Exception {
    String topic = kafka.topicPrefix() + ".wire";
    try (Admin admin = kafka.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
    }
    WorkEnvelope work = WireCodecTest.sampleWork();
    String sessionKey = Signatures.randomToken();
    SignedResult result = SignedResult.sign(codec,
        new ResultEnvelope("w-1", 1, ResultStatus.COMPLETED, work.data(), null, "worker-1", 3), "worker-1",
        sessionKey, Clock.systemUTC());
    Event event = new Event("e-1", EventType.WORK_COMPLETE, Instant.parse("2026-11-28T10:00:00.123Z"), "default",
        "w-1", "worker-1", 1, 12L, null);
    byte[] oversized = ("{\"pad\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);

    try (Producer<String, byte[]> producer = kafka.clients().producer()) {
      producer.send(new ProducerRecord<>(topic, "work", codec.encode(work))).get();
      producer.send(result.toRecord(topic)).get();
      producer.send(new ProducerRecord<>(topic, "event", codec.encode(event))).get();
      producer.send(new ProducerRecord<>(topic, "malformed", "{oops".getBytes(StandardCharsets.UTF_8))).get();
      producer.send(new ProducerRecord<>(topic, "oversized", oversized)).get();
      producer.send(new ProducerRecord<>(topic, "v9", "{\"schema\":\"gowork.work/v9\"}".getBytes(StandardCharsets.UTF_8))).get();
    }

    List<ConsumerRecord<String, byte[]>> got = readAll(kafka, topic, 6);
    assertEquals(work, codec.decodeWork(got.get(0).value()).value());

    ConsumerRecord<String, byte[]> r = got.get(1);
    assertEquals("w-1", r.key());
    assertArrayEquals(result.value(), r.value());
    ResultEnvelope decoded = codec.decodeResult(r.value()).value();
    assertEquals(result.result(), decoded);
    long ts = Long.parseLong(ResultHeaders.read(r.headers(), ResultHeaders.TIMESTAMP));
    assertEquals("worker-1", ResultHeaders.read(r.headers(), ResultHeaders.WORKER_ID));
    assertTrue(Signatures.checkResult(sessionKey, decoded.workId(), decoded.attempt(), decoded.status(), ts, r.value(),
        ResultHeaders.read(r.headers(), ResultHeaders.SIGNATURE)));

    assertEquals(event, codec.decodeEvent(got.get(2).value()).value());
    assertError(DecodeError.Kind.MALFORMED_JSON, codec.decodeWork(got.get(3).value()));
    assertError(DecodeError.Kind.TOO_LARGE, codec.decodeWork(got.get(4).value()));
    assertError(DecodeError.Kind.UNSUPPORTED_SCHEMA, codec.decodeWork(got.get(5).value()));
  }

  private static void assertError(DecodeError.Kind kind, Decoded<?> d) {
    assertFalse(d.isOk());
    assertEquals(kind, d.error().kind());
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(TestKafka kafka, String topic, int n) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (Consumer<String, byte[]> consumer = kafka.clients().consumer(kafka.topicPrefix() + ".reader", Map.of())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < n && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertEquals(n, out.size(), "records read back from " + topic);
    return out;
  }
}
