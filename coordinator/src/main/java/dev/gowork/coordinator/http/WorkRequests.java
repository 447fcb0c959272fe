package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.Work;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code {"data", "timeoutSeconds", "workId"?, "queue"?, "maxAttempts"?, "delaySeconds"?}} into {@link Work}, and batches
 * of them; an error names the field (and, in a batch, the item's index). Unknown fields are ignored.
 */
final class WorkRequests {
  /** Most items in one batch. */
  static final int MAX_BATCH = 10_000;

  private WorkRequests() {}

  /** @throws GoWorkException MALFORMED or INVALID_ARGUMENT naming the field */
  static Work work(JsonNode n) {
    return work(n, "");
  }

  /** @throws GoWorkException naming {@code items[i]} and the field; nothing is added when one item is bad */
  static List<Work> batch(JsonNode body) {
    JsonNode items = body.isObject() ? body.get("items") : null;
    if (items == null || !items.isArray()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the body must be {\"items\": [...]}, an array of work");
    }
    if (items.isEmpty() || items.size() > MAX_BATCH) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "items must hold 1-" + MAX_BATCH + " work items, has "
          + items.size());
    }
    List<Work> out = new ArrayList<>(items.size());
    java.util.Map<String, Integer> ids = new java.util.HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Work w = work(items.get(i), "items[" + i + "]: ");
      Integer before = ids.putIfAbsent(w.id(), i);
      if (before != null) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "items[" + i + "]: workId '" + w.id() + "' is items["
            + before + "]'s too");
      }
      out.add(w);
    }
    return out;
  }

  private static Work work(JsonNode n, String where) {
    if (n == null || !n.isObject()) {
      throw new GoWorkException(ErrorCode.MALFORMED, where + "work must be a JSON object {\"data\", \"timeoutSeconds\"}");
    }
    if (!n.has("data")) {
      throw new GoWorkException(ErrorCode.MALFORMED, where + "missing field 'data'");
    }
    long timeout = integer(n, "timeoutSeconds", where, true, 1, Work.MAX_TIMEOUT_SECONDS, "seconds (at most 7 days)");
    Work w = Work.create(n.get("data"), timeout);
    JsonNode id = n.get("workId");
    if (id != null && !id.isNull()) {
      if (!id.isTextual()) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, where + "'workId' must be a string");
      }
      try {
        w = w.withId(id.textValue());
      } catch (GoWorkException e) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, where + "'workId': " + e.getMessage());
      }
    }
    JsonNode queue = n.get("queue");
    if (queue != null && !queue.isNull()) {
      if (!queue.isTextual()) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, where + "'queue' must be a string");
      }
      try {
        w = w.withQueue(Topics.validateQueue(queue.textValue()));
      } catch (GoWorkException e) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, where + "'queue': " + e.getMessage());
      }
    }
    if (n.hasNonNull("maxAttempts")) {
      w = w.withMaxAttempts((int) integer(n, "maxAttempts", where, false, 1, Work.MAX_ATTEMPTS, "attempts"));
    }
    if (n.hasNonNull("delaySeconds")) {
      w = w.withDelaySeconds(integer(n, "delaySeconds", where, false, 0, Work.MAX_DELAY_SECONDS,
          "seconds (at most 7 days)"));
    }
    return w;
  }

  /** The integer field {@code field}, from {@code min} to {@code max}; {@code min} when absent and not required. */
  static long integer(JsonNode n, String field, String where, boolean required, long min, long max,
      String unit) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new GoWorkException(ErrorCode.MALFORMED, where + "missing field '" + field + "'");
      }
      return min;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      String shown = v.toString();
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, where + "'" + field + "' must be an integer from " + min
          + " to " + max + " " + unit + ", was " + (shown.length() > 40 ? shown.substring(0, 40) + "…" : shown));
    }
    return v.asLong();
  }
}
