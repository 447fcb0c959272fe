package dev.gowork.coordinator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assertions;

/** Reads the events topic as an analytics consumer would: read_committed, from the beginning to the end. */
public final class EventsTopic {
  /** Events that end a work item (work_failed is terminal only when no retry follows; tests here do not fail work). */
  public static final Set<EventType> TERMINAL = EnumSet.of(EventType.WORK_COMPLETE, EventType.WORK_TIMEOUT,
      EventType.WORK_DEAD);

  private EventsTopic() {}

  public static List<Event> readAll(KafkaClients clients, String topic) {
    WireCodec codec = WireCodec.defaults();
    return values(clients, topic).stream().map(v -> codec.decodeEvent(v).orThrow()).toList();
  }

  /** The events as the JSON an analytics reader parses (fields this version does not know included). */
  public static List<JsonNode> readAllJson(KafkaClients clients, String topic) {
    WireCodec codec = WireCodec.defaults();
    return values(clients, topic).stream().map(v -> codec.parse(v).orThrow()).toList();
  }

  private static List<byte[]> values(KafkaClients clients, String topic) {
    List<byte[]> out = new ArrayList<>();
    try (Consumer<String, byte[]> c = clients.consumer(null, Map.of())) {
      List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(tps, Duration.ofSeconds(30)));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
        if (end.isEmpty()) {
          return out;
        }
        if (System.nanoTime() > deadline) {
          return Assertions.fail("the events topic was not read to its end in 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          out.add(r.value());
        }
      }
    }
  }

  /** Terminal events per work id. */
  public static Map<String, List<Event>> terminalByWork(List<Event> events) {
    Map<String, List<Event>> m = new HashMap<>();
    for (Event e : events) {
      if (TERMINAL.contains(e.type())) {
        m.computeIfAbsent(e.workId(), id -> new ArrayList<>()).add(e);
      }
    }
    return m;
  }

  /** Fails unless each of {@code workIds} has exactly one terminal event, of {@code type}. */
  public static void assertOneTerminalEach(List<Event> events, java.util.Collection<String> workIds, EventType type) {
    Map<String, List<Event>> m = terminalByWork(events);
    List<String> wrong = new ArrayList<>();
    for (String id : workIds) {
      List<Event> t = m.getOrDefault(id, List.of());
      if (t.size() != 1 || t.get(0).type() != type) {
        wrong.add(id + "=" + t.stream().map(e -> e.type().id()).toList());
      }
    }
    Assertions.assertEquals(List.of(), wrong.size() > 20 ? wrong.subList(0, 20) : wrong,
        wrong.size() + " work ids without exactly one " + type.id());
  }
}
