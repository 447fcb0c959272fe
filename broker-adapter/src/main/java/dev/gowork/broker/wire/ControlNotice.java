package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the coordinator tells every worker replica: on {@code <p>.control} a {@link CancelNotice} or a
 * {@link RevokeNotice}, on the compacted {@code <p>.queues} a {@link QueueNotice}; told apart by
 * their {@code schema}.
 */
public sealed interface ControlNotice permits CancelNotice, RevokeNotice, QueueNotice {
  /** The record value. */
  byte[] encode(WireCodec codec);

  /**
   * Reads a record value of either kind; a failure names what is wrong. A schema this version does not
   * know fails with {@link DecodeError.Kind#UNSUPPORTED_SCHEMA}: a reader skips it (a newer
   * coordinator's notice).
   */
  static Decoded<ControlNotice> decode(WireCodec codec, byte[] bytes) {
    Decoded<JsonNode> tree = codec.parse(bytes);
    if (!tree.isOk()) {
      return Decoded.failure(tree.error().kind(), tree.error().message());
    }
    JsonNode n = tree.value();
    String schema = n.isObject() && n.path("schema").isTextual() ? n.get("schema").textValue() : null;
    Decoded<? extends ControlNotice> d;
    if (CancelNotice.SCHEMA.equals(schema)) {
      d = CancelNotice.from(n);
    } else if (RevokeNotice.SCHEMA.equals(schema)) {
      d = RevokeNotice.from(n);
    } else if (QueueNotice.SCHEMA.equals(schema)) {
      d = QueueNotice.from(n);
    } else {
      return Decoded.failure(DecodeError.Kind.UNSUPPORTED_SCHEMA, "control notice schema "
          + (schema == null ? "missing" : "'" + WireCodec.shown(schema) + "' is not supported") + "; expected '"
          + CancelNotice.SCHEMA + "', '" + RevokeNotice.SCHEMA + "' or '" + QueueNotice.SCHEMA + "'");
    }
    return d.isOk() ? Decoded.ok(d.value()) : Decoded.failure(d.error().kind(), d.error().message());
  }
}
