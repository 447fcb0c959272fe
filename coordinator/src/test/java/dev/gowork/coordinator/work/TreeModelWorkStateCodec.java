package dev.gowork.coordinator.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import java.util.Locale;

/**
 * The state record codec as it was before it moved to streaming (commit a52d6fd, tree model), kept
 * unchanged as the oracle that {@link WorkStateCodecEquivalenceTest} compares {@link WorkStateCodec} with.
 * The state record of one work item on {@code <p>.state} (key = work id), version 1:
 * <pre>{@code
 * {"v":1,"workId","queue","state":"running","attempt","maxAttempts","timeoutSeconds","createdAt",
 *  "updatedAt","deadline" (epoch ms),"workerId","partition","offset","republish","result","error"}
 * }</pre>
 * {@code result} (completed items) is omitted, with {@code "resultOmitted":true}, when it would make
 * the record larger than the codec's limit; the payload is never stored (it stays on the work topic).
 */
final class TreeModelWorkStateCodec {
  static final int VERSION = 1;
  private static final int HEADROOM = 8192;
  private final WireCodec codec;

  TreeModelWorkStateCodec(WireCodec codec) {
    this.codec = codec;
  }

  byte[] encode(WorkRecord r) {
    ObjectNode n = codec.mapper().createObjectNode();
    n.put("v", VERSION);
    n.put("workId", r.workId);
    n.put("queue", r.queue);
    n.put("state", r.state.wireName());
    n.put("attempt", r.attempt);
    n.put("maxAttempts", r.maxAttempts);
    n.put("timeoutSeconds", r.timeoutSeconds);
    n.put("createdAt", r.createdAt);
    n.put("updatedAt", r.updatedAt);
    n.put("deadline", r.deadline);
    if (r.workerId != null) {
      n.put("workerId", r.workerId);
    }
    n.put("partition", r.partition);
    n.put("offset", r.offset);
    if (r.republishPending) {
      n.put("republish", true);
    }
    if (r.outcome instanceof String error) {
      n.put("error", error);
    }
    if (r.outcome instanceof byte[] result) {
      if (result.length + HEADROOM < codec.maxRecordBytes()) {
        Decoded<JsonNode> tree = codec.parse(result);
        if (tree.isOk()) {
          n.set("result", tree.value());
        }
      } else {
        n.put("resultOmitted", true);
      }
    }
    return codec.write(n);
  }

  /**
   * @return the record, or null with {@code problem[0]} set when the value is not a valid v1 state record
   */
  WorkRecord decode(String key, byte[] value, String[] problem) {
    Decoded<JsonNode> d = codec.parse(value);
    if (!d.isOk()) {
      problem[0] = d.error().message();
      return null;
    }
    JsonNode n = d.value();
    if (n.path("v").asInt(-1) != VERSION) {
      problem[0] = "unsupported state record version " + n.path("v");
      return null;
    }
    try {
      String workId = text(n, "workId");
      if (!workId.equals(key)) {
        throw new IllegalArgumentException("key " + key + " does not match workId");
      }
      WorkRecord r = new WorkRecord(workId, text(n, "queue").intern(), number(n, "createdAt"),
          number(n, "deadline"), (int) number(n, "timeoutSeconds"), (int) number(n, "attempt"),
          (int) number(n, "maxAttempts"));
      r.state = WorkState.valueOf(text(n, "state").toUpperCase(Locale.ROOT));
      r.updatedAt = number(n, "updatedAt");
      r.workerId = n.hasNonNull("workerId") ? n.get("workerId").asText() : null;
      r.partition = (int) number(n, "partition");
      r.offset = number(n, "offset");
      r.republishPending = n.path("republish").asBoolean(false);
      if (n.hasNonNull("result")) {
        r.outcome = codec.write(n.get("result"));
      } else if (n.hasNonNull("error")) {
        r.outcome = n.get("error").asText();
      }
      if (r.attempt < 1 || r.maxAttempts < 1 || r.timeoutSeconds < 1) {
        throw new IllegalArgumentException("attempt, maxAttempts and timeoutSeconds must be positive");
      }
      return r;
    } catch (IllegalArgumentException e) {
      problem[0] = "invalid state record: " + e.getMessage();
      return null;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > WireCodec.MAX_ID_LENGTH) {
      throw new IllegalArgumentException("missing or invalid '" + field + "'");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("missing or invalid '" + field + "'");
    }
    return v.asLong();
  }
}
