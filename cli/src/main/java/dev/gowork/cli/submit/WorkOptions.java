package dev.gowork.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What every submitted item carries besides its data.
 *
 * @param queue the queue, or {@code null} for the coordinator's default
 * @param timeoutSeconds the deadline from creation
 * @param maxAttempts attempts before the work is dead, or {@code null} for the coordinator's default
 * @param delaySeconds how long after the add the work is queued, or {@code null} for at once
 */
public record WorkOptions(String queue, int timeoutSeconds, Integer maxAttempts, Integer delaySeconds) {

  /** Work queued at once. */
  public WorkOptions(String queue, int timeoutSeconds, Integer maxAttempts) {
    this(queue, timeoutSeconds, maxAttempts, null);
  }

  /**
   * One item of {@code POST /v1/work/batch}: {@code {"data","timeoutSeconds","queue"?,"maxAttempts"?,
   * "delaySeconds"?}}.
   */
  public ObjectNode item(JsonNode data) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.set("data", data);
    n.put("timeoutSeconds", timeoutSeconds);
    if (queue != null) {
      n.put("queue", queue);
    }
    if (maxAttempts != null) {
      n.put("maxAttempts", maxAttempts);
    }
    if (delaySeconds != null) {
      n.put("delaySeconds", delaySeconds);
    }
    return n;
  }
}
