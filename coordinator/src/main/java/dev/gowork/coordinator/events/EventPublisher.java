package dev.gowork.coordinator.events;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.WireCodec;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes events to {@code <p>.events}: key {@link Event#key()}, value {@link WireCodec#encode(Event)}. */
final class EventPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
  private final Producer<String, byte[]> producer;
  private final WireCodec codec;
  private final String topic;
  private final AtomicLong failures = new AtomicLong();

  EventPublisher(Producer<String, byte[]> producer, WireCodec codec, String topic) {
    this.producer = producer;
    this.codec = codec;
    this.topic = topic;
  }

  void publish(Event e) {
    try {
      producer.send(new ProducerRecord<>(topic, e.key(), codec.encode(e)), (meta, error) -> {
        if (error != null && failures.getAndIncrement() % 1000 == 0) {
          LOG.warn("could not publish event {} ({}) to {}: {}", e.type().id(), e.id(), topic, error.toString());
        }
      });
    } catch (RuntimeException error) {
      failures.incrementAndGet();
      LOG.warn("could not publish event {} ({}) to {}: {}", e.type().id(), e.id(), topic, error.toString());
    }
  }

  long failures() {
    return failures.get();
  }
}
