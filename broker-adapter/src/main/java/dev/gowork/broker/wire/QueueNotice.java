package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether a queue is paused: a record of the compacted {@code <p>.queues}, keyed by the queue name,
 * which every coordinator and worker replica reads whole. While a queue is paused no worker takes new
 * work from it (work already running finishes); its work waits in Kafka. JSON:
 * {@code {"schema":"gowork.queue/v1","queue","paused","changedAt","reason"}}.
 *
 * @param reason why, as the operator gave it; may be null
 */
public record QueueNotice(String queue, boolean paused, Instant changedAt, String reason) implements ControlNotice {
  public static final String SCHEMA = "gowork.queue/v1";

  public QueueNotice {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(changedAt, "changedAt");
  }

  @Override
  public byte[] encode(WireCodec codec) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("schema", SCHEMA);
    n.put("queue", queue);
    n.put("paused", paused);
    n.put("changedAt", WireCodec.timeText(changedAt));
    n.put("reason", reason);
    return codec.write(n);
  }

  static Decoded<QueueNotice> from(JsonNode n) {
    EnvelopeFields f = new EnvelopeFields(n, "queue notice");
    f.schema(SCHEMA, true);
    String queue = f.string("queue", true);
    JsonNode paused = f.any("paused", true);
    Instant changedAt = f.instant("changedAt", true);
    String reason = f.nullableString("reason");
    if (f.failed()) {
      return f.failure();
    }
    if (!paused.isBoolean()) {
      return Decoded.failure(DecodeError.Kind.INVALID_FIELD, "queue notice field 'paused' must be true or false");
    }
    return Decoded.ok(new QueueNotice(queue, paused.booleanValue(), changedAt, reason));
  }
}
