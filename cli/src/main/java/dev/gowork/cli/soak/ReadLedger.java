package dev.gowork.cli.soak;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.settings.CliException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The ledger check's read: the whole events topic with a consumer of its own (read_committed, every
 * partition assigned, from the beginning, no group), into a {@link Ledger} that already knows the
 * accepted ids. It reads until every accepted id is accounted for, or until the timeout; either way
 * it then reads on to the topic's end as it is at that moment (the last stable offset, for a
 * read_committed consumer), so that a second terminal event written before then is seen too.
 */
final class ReadLedger {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TO_END = Duration.ofSeconds(30);

  private ReadLedger() {}

  /**
   * Fills {@code ledger} from {@code topic} on {@code bootstrapServers}.
   *
   * @return true when the end of the topic was reached (false: the ledger may lack events)
   * @throws CliException failed when the topic does not exist
   */
  static boolean read(String bootstrapServers, String topic, Ledger ledger, Duration timeout) {
    WireCodec codec = WireCodec.defaults();
    Consumer<String, byte[]> consumer = new KafkaClients(bootstrapServers, Map.of()).consumer(null,
        Map.of("allow.auto.create.topics", false, "client.id", "gowork-soak-ledger"));
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw CliException.failed("the events topic " + topic + " does not exist");
      }
      List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (ledger.accounted() < ledger.acceptedCount() && System.nanoTime() - deadline < 0) {
        poll(consumer, codec, ledger);
      }
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts, Duration.ofSeconds(30)));
      long endBy = System.nanoTime() + TO_END.toNanos();
      while (true) {
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        if (end.isEmpty()) {
          return true;
        }
        if (System.nanoTime() - endBy > 0) {
          return false;
        }
        poll(consumer, codec, ledger);
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private static void poll(Consumer<String, byte[]> consumer, WireCodec codec, Ledger ledger) {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
      Decoded<Event> d = codec.decodeEvent(r.value());
      if (d.isOk()) {
        ledger.record(d.value(), r.partition() + "@" + r.offset());
      } else {
        ledger.undecodable();
      }
    }
  }
}
