package dev.gowork.cli.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.wire.DecodeError;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.settings.CliException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows the events topic with a consumer of its own: every partition assigned (no group
 * membership, nothing committed), from the end or the beginning, each record decoded and handed to
 * a {@link Sink}; a record that does not decode is reported and skipped.
 *
 * <p>Threads: {@link #assign} and {@link #run} on one thread (one after the other, possibly
 * different threads); {@link #stop} from any thread. If the topic does not exist yet, {@code run}
 * waits for it and then reads it from its beginning, since everything in it is new. If Kafka itself
 * does not answer for {@link #giveUpAfter} (30 s), {@code run} fails.
 */
public final class FollowEvents {
  /** Receives what the follower reads. Called on the following thread. */
  public interface Sink {
    /** One decoded event and its raw JSON; return false to stop following. */
    boolean accept(Event event, byte[] raw);

    /** A record that is not a valid event, at {@code topic-partition@offset}. */
    void rejected(String where, DecodeError error);

    /**
     * An event of a type this version does not know (a newer coordinator's: types are only ever
     * added), as parsed JSON and raw; return false to stop following.
     */
    default boolean acceptNewer(JsonNode event, byte[] raw) {
      return true;
    }

    /** Said once while the topic does not exist yet, and once while Kafka does not answer. */
    default void waiting(String why) {}
  }

  private static final Duration POLL = Duration.ofMillis(200);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final boolean fromBeginning;
  private final WireCodec codec;
  private volatile boolean stopped;
  private boolean assigned;
  private boolean seenMissing;
  private boolean unanswered;
  private Duration giveUp = Duration.ofSeconds(30);
  private String kafka = "Kafka";

  /** Takes ownership of {@code consumer}: {@link #run} closes it. */
  public FollowEvents(Consumer<String, byte[]> consumer, String topic, boolean fromBeginning, WireCodec codec) {
    this.consumer = consumer;
    this.topic = topic;
    this.fromBeginning = fromBeginning;
    this.codec = codec;
  }

  /**
   * A follower with a consumer of its own on {@code bootstrapServers}: no group, read_committed,
   * topics never auto-created, plus the operator's {@code passThrough} client properties.
   */
  public static FollowEvents open(String bootstrapServers, Map<String, String> passThrough, String topic,
      boolean fromBeginning) {
    try {
      Consumer<String, byte[]> consumer = new KafkaClients(bootstrapServers, passThrough).consumer(null,
          Map.of("allow.auto.create.topics", false, "client.id", "gowork-cli-events"));
      FollowEvents follow = new FollowEvents(consumer, topic, fromBeginning, WireCodec.defaults());
      follow.kafka = "Kafka at " + bootstrapServers;
      return follow;
    } catch (KafkaException | IllegalArgumentException e) {
      // The client wraps the reason ("Invalid url in bootstrap.servers: ...") in "Failed to construct
      // kafka consumer": show the innermost one, which says what to fix.
      Throwable why = e;
      while (why.getCause() != null && why.getCause() != why) {
        why = why.getCause();
      }
      throw CliException.usage("the Kafka client settings (GOWORK_BOOTSTRAP_SERVERS, GOWORK_KAFKA_*) are refused: "
          + why.getMessage());
    }
  }

  /** How long {@link #run} waits for Kafka to answer at all before it fails (default 30 s). */
  public FollowEvents giveUpAfter(Duration d) {
    giveUp = d;
    return this;
  }

  /**
   * Assigns every partition and fixes the start positions now, so that nothing written after this
   * call is missed. Once the topic has been seen missing, it is read from its beginning when it appears.
   *
   * @return false when the topic was not found within {@code wait} (then {@link #run} keeps looking)
   */
  public boolean assign(Duration wait) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, wait);
    } catch (WakeupException e) {
      throw e;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      unanswered = true;
      return false;
    } catch (KafkaException e) {
      return false;
    }
    unanswered = false;
    if (infos == null || infos.isEmpty()) {
      seenMissing = true;
      return false;
    }
    List<TopicPartition> parts = new ArrayList<>();
    infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
    consumer.assign(parts);
    if (fromBeginning || seenMissing) {
      consumer.seekToBeginning(parts);
    } else {
      consumer.seekToEnd(parts);
    }
    parts.forEach(consumer::position);
    assigned = true;
    return true;
  }

  /** The parsed event when {@code value} is a v1 event whose only fault is a type this version does not know. */
  private JsonNode ofNewerType(byte[] value) {
    Decoded<JsonNode> parsed = codec.parse(value);
    JsonNode n = parsed.isOk() ? parsed.value() : null;
    JsonNode type = n == null ? null : n.get("type");
    if (n == null || !n.isObject() || !Event.SCHEMA.equals(n.path("schema").asText(null)) || type == null
        || !type.isTextual() || EventType.fromId(type.asText()) != null) {
      return null;
    }
    ObjectNode known = n.deepCopy();
    known.put("type", EventType.ADD_WORK.id());
    return codec.eventFrom(known).isOk() ? n : null;
  }

  /**
   * Follows until the sink says stop or {@link #stop()} is called; then closes the consumer.
   *
   * @throws CliException failed when Kafka did not answer for {@link #giveUpAfter}
   */
  public void run(Sink sink) {
    try {
      waitForTopic(sink);
      if (!assigned) {
        return;
      }
      while (!stopped) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          Decoded<Event> d = codec.decodeEvent(r.value());
          JsonNode newer = d.isOk() ? null : ofNewerType(r.value());
          if (newer != null) {
            if (!sink.acceptNewer(newer, r.value())) {
              return;
            }
          } else if (!d.isOk()) {
            sink.rejected(r.topic() + "-" + r.partition() + "@" + r.offset(), d.error());
          } else if (!sink.accept(d.value(), r.value())) {
            return;
          }
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  /** Makes {@link #run} return soon; safe from any thread. */
  public void stop() {
    stopped = true;
    consumer.wakeup();
  }

  private void waitForTopic(Sink sink) {
    boolean toldMissing = false;
    boolean toldUnanswered = false;
    long silentSince = -1;
    while (!assigned && !stopped) {
      if (assign(Duration.ofSeconds(2))) {
        return;
      }
      if (unanswered) {
        long now = System.nanoTime();
        silentSince = silentSince < 0 ? now - Duration.ofSeconds(2).toNanos() : silentSince;
        if (now - silentSince >= giveUp.toNanos()) {
          throw CliException.failed(kafka + " did not answer within " + giveUp.toSeconds() + " s; check "
              + "GOWORK_BOOTSTRAP_SERVERS (or --bootstrap-servers) and GOWORK_KAFKA_*");
        }
        if (!toldUnanswered) {
          sink.waiting(kafka + " does not answer; waiting up to " + giveUp.toSeconds() + " s");
          toldUnanswered = true;
        }
      } else {
        silentSince = -1;
        if (!toldMissing) {
          sink.waiting("topic " + topic + " does not exist yet (no coordinator has started on this prefix); waiting");
          toldMissing = true;
        }
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
