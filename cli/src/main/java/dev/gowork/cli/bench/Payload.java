package dev.gowork.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The work item's data: a JSON object of about {@code bytes} bytes, the same for every item. */
final class Payload {
  private static final String OVERHEAD = "{\"bench\":\"\"}";

  private Payload() {}

  static JsonNode json(int bytes) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("bench", "x".repeat(Math.max(0, bytes - OVERHEAD.length())));
    return o;
  }

  static byte[] bytes(int bytes) {
    return json(bytes).toString().getBytes(StandardCharsets.UTF_8);
  }
}
