package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * The coordinator's word that a work item was cancelled: a {@code <p>.control} record keyed by
 * the work id. A worker that holds the item stops it (its context is cancelled) and reports
 * nothing; one that receives it later does not run it. JSON: {@code {"schema":"gowork.cancel/v1",
 * "workId","queue","attempt","deadline","cancelledAt","reason"}}; a worker may forget the notice once
 * the {@code deadline} has passed, since expired work is not run anyway.
 *
 * @param attempt the attempt that was current when the work was cancelled
 * @param reason why, as the caller gave it; may be null
 */
public record CancelNotice(String workId, String queue, int attempt, Instant deadline, Instant cancelledAt,
    String reason) implements ControlNotice {
  public static final String SCHEMA = "gowork.cancel/v1";

  public CancelNotice {
    Objects.requireNonNull(workId, "workId");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(cancelledAt, "cancelledAt");
  }

  @Override
  public byte[] encode(WireCodec codec) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("schema", SCHEMA);
    n.put("workId", workId);
    n.put("queue", queue);
    n.put("attempt", attempt);
    n.put("deadline", WireCodec.timeText(deadline));
    n.put("cancelledAt", WireCodec.timeText(cancelledAt));
    n.put("reason", reason);
    return codec.write(n);
  }

  /** Reads a record value; a failure names what is wrong. */
  public static Decoded<CancelNotice> decode(WireCodec codec, byte[] bytes) {
    Decoded<JsonNode> tree = codec.parse(bytes);
    if (!tree.isOk()) {
      return Decoded.failure(tree.error().kind(), tree.error().message());
    }
    return from(tree.value());
  }

  static Decoded<CancelNotice> from(JsonNode n) {
    EnvelopeFields f = new EnvelopeFields(n, "cancel notice");
    f.schema(SCHEMA, true);
    String workId = f.id("workId");
    String queue = f.string("queue", true);
    int attempt = f.positiveInt("attempt", true, 1);
    Instant deadline = f.instant("deadline", true);
    Instant cancelledAt = f.instant("cancelledAt", true);
    String reason = f.nullableString("reason");
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new CancelNotice(workId, queue, attempt, deadline, cancelledAt, reason));
  }
}
