package dev.gowork.coordinator.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import java.util.Locale;

/**
 * The session record of one worker on {@code <p>.sessions} (key = worker id), version 1:
 * {@code {"v":1,"workerId","nonce","expiresAt","registeredAt" (epoch ms),"state":"active|expired|revoked",
 * "name"?}}. Never the session key: a restarted coordinator derives it again from the secret and these fields.
 * {@code name} (the worker's, informative) was added later: a record without it, or with one that is not a
 * valid name, reads as a worker without a name, and a coordinator that predates it ignores it.
 */
final class SessionRecords {
  private static final WireCodec CODEC = WireCodec.defaults();

  private SessionRecords() {}

  static byte[] encode(WorkerEntry e) {
    ObjectNode n = CODEC.mapper().createObjectNode();
    n.put("v", 1);
    n.put("workerId", e.workerId);
    n.put("nonce", e.nonce);
    n.put("expiresAt", e.sessionExpiresAt);
    n.put("registeredAt", e.registeredAt);
    n.put("state", e.state.wireName());
    if (e.name != null) {
      n.put("name", e.name);
    }
    return CODEC.write(n);
  }

  /** The decoded record's fields; {@code problem[0]} says why when it returns null. */
  record Stored(String workerId, String nonce, long expiresAt, long registeredAt, WorkerState state, String name) {}

  static Stored decode(String key, byte[] value, String[] problem) {
    Decoded<JsonNode> d = CODEC.parse(value);
    if (!d.isOk()) {
      problem[0] = d.error().message();
      return null;
    }
    JsonNode n = d.value();
    if (n.path("v").asInt(-1) != 1) {
      problem[0] = "unsupported session record version " + n.path("v");
      return null;
    }
    String id = n.path("workerId").asText("");
    String nonce = n.path("nonce").asText("");
    JsonNode expires = n.get("expiresAt");
    JsonNode registered = n.get("registeredAt");
    WorkerState state;
    try {
      state = WorkerState.valueOf(n.path("state").asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      state = null;
    }
    if (!id.equals(key) || id.length() > 200 || nonce.isEmpty() || nonce.length() > 200 || expires == null
        || !expires.isIntegralNumber() || registered == null || !registered.isIntegralNumber() || state == null
        || state == WorkerState.PENDING) {
      problem[0] = "invalid session record (workerId, nonce, expiresAt, registeredAt or state)";
      return null;
    }
    JsonNode name = n.get("name");
    String shown = name != null && name.isTextual() && WorkerNames.isValid(name.textValue()) ? name.textValue() : null;
    return new Stored(id, nonce, expires.asLong(), registered.asLong(), state, shown);
  }
}
