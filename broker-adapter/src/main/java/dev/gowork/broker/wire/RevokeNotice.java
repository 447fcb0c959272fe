package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * The coordinator's word that a worker's session was revoked: a {@code <p>.control} record keyed by
 * the worker id. The replica holding that session registers and verifies again at once, so its
 * results are not refused for long. JSON: {@code {"schema":"gowork.revoke/v1","workerId","revokedAt"}}.
 */
public record RevokeNotice(String workerId, Instant revokedAt) implements ControlNotice {
  public static final String SCHEMA = "gowork.revoke/v1";

  public RevokeNotice {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(revokedAt, "revokedAt");
  }

  @Override
  public byte[] encode(WireCodec codec) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("schema", SCHEMA);
    n.put("workerId", workerId);
    n.put("revokedAt", WireCodec.timeText(revokedAt));
    return codec.write(n);
  }

  static Decoded<RevokeNotice> from(JsonNode n) {
    EnvelopeFields f = new EnvelopeFields(n, "revoke notice");
    f.schema(SCHEMA, true);
    String workerId = f.id("workerId");
    Instant revokedAt = f.instant("revokedAt", true);
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new RevokeNotice(workerId, revokedAt));
  }
}
