package dev.gowork.coordinator.queue;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Re-reads a published work envelope from its topic by (partition, offset), so that the coordinator
 * need not keep payloads in memory to retry them. One group-less consumer, created on first use and
 * shared under this object's lock; retries are rare, so a read costs one seek and a fetch or two.
 */
public final class EnvelopeReader implements AutoCloseable {
  private final KafkaClients clients;
  private final WireCodec codec;
  private Consumer<String, byte[]> consumer;
  private boolean closed;

  public EnvelopeReader(KafkaClients clients, WireCodec codec) {
    this.clients = clients;
    this.codec = codec;
  }

  /** The envelope at {@code offset}, or empty when it is gone, undecodable or not found in time. */
  public synchronized Optional<WorkEnvelope> read(String topic, int partition, long offset, Duration timeout) {
    if (closed) {
      return Optional.empty();
    }
    if (consumer == null) {
      consumer = clients.consumer(null, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
    }
    TopicPartition tp = new TopicPartition(topic, partition);
    consumer.assign(List.of(tp));
    try {
      Long start = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
      if (start != null && offset < start) {
        return Optional.empty(); // deleted by the topic's retention
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      return Optional.empty(); // Kafka does not answer: not found in time, as below
    }
    consumer.seek(tp, offset);
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - end < 0) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.offset() == offset) {
          Decoded<WorkEnvelope> d = codec.decodeWork(r.value());
          return d.isOk() ? Optional.of(d.value()) : Optional.empty();
        }
        if (r.offset() > offset) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
