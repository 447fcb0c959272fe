package dev.gowork.coordinator.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How far running work has got, as its worker last reported it in a {@code running} notice.
 *
 * @param percent 0 to 100
 * @param message the worker's words, at most {@link #MAX_MESSAGE_CHARS} characters, or null
 */
public record Progress(int percent, String message) {
  /** Longer messages are cut to this. */
  public static final int MAX_MESSAGE_CHARS = 200;

  public Progress {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0 to 100, was " + percent);
    }
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
  }

  /**
   * Reads {@code {"percent": 0..100, "message": "..."}} (message optional); null when {@code node} is
   * absent or not of that shape, so that a worker's bad progress never costs the notice itself.
   */
  public static Progress from(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode percent = node.get("percent");
    JsonNode message = node.get("message");
    if (percent == null || !percent.isIntegralNumber() || !percent.canConvertToInt()
        || percent.intValue() < 0 || percent.intValue() > 100) {
      return null;
    }
    if (message != null && !message.isNull() && !message.isTextual()) {
      return null;
    }
    return new Progress(percent.intValue(), message == null || message.isNull() ? null : message.textValue());
  }

  /** {@code {"percent", "message"}}, the message left out when there is none. */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode().put("percent", percent);
    if (message != null) {
      n.put("message", message);
    }
    return n;
  }
}
