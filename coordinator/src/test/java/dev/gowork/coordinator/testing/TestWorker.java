package dev.gowork.coordinator.testing;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assertions;

/**
 * A worker written against the wire contract with raw Kafka clients only (no worker-runtime): joins
 * the queue's share group, ACCEPTs what it takes, and sends results signed with its session key.
 */
public final class TestWorker implements AutoCloseable {
  private final Topics topics;
  private final String workerId;
  private final String sessionKey;
  private final Clock clock;
  private final WireCodec codec = WireCodec.defaults();
  private final ShareConsumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;

  public TestWorker(KafkaClients clients, Topics topics, String queue, String workerId, String sessionKey,
      Clock clock) {
    this.topics = topics;
    this.workerId = workerId;
    this.sessionKey = sessionKey;
    this.clock = clock;
    this.consumer = clients.shareConsumer(topics.shareGroup(queue), Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
    this.consumer.subscribe(List.of(topics.work(queue)));
    this.producer = clients.producer();
  }

  /** Takes the next work item (ACCEPTed at once); fails the test if none comes within {@code timeout}. */
  public WorkEnvelope take(Duration timeout) {
    WorkEnvelope w = poll(timeout);
    return w != null ? w : Assertions.fail("no work delivered within " + timeout);
  }

  /** Takes the next work item (ACCEPTed at once) if one comes within {@code timeout}; else null. */
  public WorkEnvelope poll(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        consumer.acknowledge(r, AcknowledgeType.ACCEPT);
        consumer.commitSync(Duration.ofSeconds(5));
        return codec.decodeWork(r.value()).orThrow();
      }
    }
    return null;
  }

  /** Fails the test if a work record is delivered within {@code wait}. */
  public void assertNothingWithin(Duration wait) {
    long end = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        Assertions.fail("work was delivered: " + codec.decodeWork(r.value()).orThrow());
      }
    }
  }

  /**
   * Takes the next record without acknowledging it, as a worker that then dies would; returns the
   * envelope with the attempt a worker reports (envelope attempt + delivery count - 1).
   */
  public WorkEnvelope takeWithoutAck(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        WorkEnvelope w = codec.decodeWork(r.value()).orThrow();
        return w.withAttempt(w.attempt() + r.deliveryCount().orElse((short) 1) - 1);
      }
    }
    return Assertions.fail("no work delivered within " + timeout);
  }

  /** Signs and sends a result for attempt {@code w.attempt()}; waits for Kafka's acknowledgement. */
  public SignedResult send(WorkEnvelope w, ResultStatus status, Object result, String error) {
    ResultEnvelope r = new ResultEnvelope(w.workId(), w.attempt(), status,
        result == null ? null : codec.mapper().valueToTree(result), error, workerId, 5);
    return send(SignedResult.sign(codec, r, workerId, sessionKey, clock));
  }

  /** Sends an already signed (or forged) result. */
  public SignedResult send(SignedResult signed) {
    send(signed.toRecord(topics.results()));
    return signed;
  }

  public void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Assertions.fail("sending a result failed", e);
    }
  }

  public String workerId() {
    return workerId;
  }

  public String sessionKey() {
    return sessionKey;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }
}
