package dev.gowork.coordinator.state;

import dev.gowork.broker.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a compacted topic from the beginning to its end (read-committed, so up to the last stable
 * offset: an aborted or open transaction contributes nothing) and keeps the last value per key;
 * a tombstone removes its key. Used once at start, before the results consumer runs.
 */
public final class ReadToEnd {
  /** One stored record: its value and where it came from (for reports). */
  public record Stored(String key, byte[] value, String where) {}

  private ReadToEnd() {}

  /**
   * @param keyless told where a record without a key was found (it is skipped)
   * @return the last value per key, in first-seen order
   * @throws KafkaException when Kafka does not answer or the end is not reached within {@code timeout}
   */
  public static Map<String, Stored> read(KafkaClients clients, String topic, Duration timeout,
      Consumer<String> keyless) {
    return read(clients, topic, timeout, keyless, new HashMap<>());
  }

  /**
   * As {@link #read(KafkaClients, String, Duration, Consumer)}, also putting into {@code ends} the
   * offset where each partition was read up to (where a follower of the topic goes on from).
   */
  public static Map<String, Stored> read(KafkaClients clients, String topic, Duration timeout,
      Consumer<String> keyless, Map<TopicPartition, Long> ends) {
    Map<String, Stored> out = new LinkedHashMap<>();
    try (org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = clients.consumer(null,
        Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000))) {
      List<PartitionInfo> parts = c.partitionsFor(topic, timeout);
      List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(tps, timeout));
      ends.putAll(end);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!end.isEmpty()) {
        end.entrySet().removeIf(e -> c.position(e.getKey(), timeout) >= e.getValue());
        if (end.isEmpty()) {
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new KafkaException("reading " + topic + " to its end took longer than " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          String where = r.topic() + "-" + r.partition() + "@" + r.offset();
          if (r.key() == null) {
            keyless.accept(where);
          } else if (r.value() == null) {
            out.remove(r.key());
          } else {
            out.remove(r.key());
            out.put(r.key(), new Stored(r.key(), r.value(), where));
          }
        }
      }
    }
    return out;
  }
}
