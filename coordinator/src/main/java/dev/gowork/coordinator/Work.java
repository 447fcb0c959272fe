package dev.gowork.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A piece of work, the seed's {@code Work}: an id, a queue, JSON data and a timeout. Immutable; the
 * {@code with…} methods return a copy.
 *
 * <pre>{@code
 * Work w = server.createWork(Map.of("url", "https://example.org"), 30).withMaxAttempts(3);
 * server.add(w);
 * String s = w.marshal();            // to send it yourself
 * Work back = Work.unmarshal(s);
 * }</pre>
 */
public final class Work {
  /** Longest timeout: 7 days. */
  public static final long MAX_TIMEOUT_SECONDS = 604_800;
  /** Most attempts one item may have. */
  public static final int MAX_ATTEMPTS = 100;
  /** The longest delay {@link #withDelaySeconds} accepts: 7 days. */
  public static final long MAX_DELAY_SECONDS = 604_800;
  private static final WireCodec CODEC = WireCodec.defaults();
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:@-]{1,"
      + WireCodec.MAX_ID_LENGTH + "}");

  private final String id;
  private final String queue;
  private final JsonNode data;
  private final long timeoutSeconds;
  private final int maxAttempts;
  private final int attempt;
  private final JsonNode result;
  private final String error;
  /** Known once the work was added (it came from a {@link WorkEnvelope}); else null. */
  private final Instant createdAt;
  private final Instant deadline;
  /** How long after {@code add} the work is queued; 0 for at once. */
  private final long delaySeconds;

  private Work(String id, String queue, JsonNode data, long timeoutSeconds, int maxAttempts, int attempt,
      JsonNode result, String error, Instant createdAt, Instant deadline, long delaySeconds) {
    this.id = id;
    this.queue = queue;
    this.data = data;
    this.timeoutSeconds = timeoutSeconds;
    this.maxAttempts = maxAttempts;
    this.attempt = attempt;
    this.result = result;
    this.error = error;
    this.createdAt = createdAt;
    this.deadline = deadline;
    this.delaySeconds = delaySeconds;
  }

  /**
   * New work in the default queue, one attempt, with a random UUID id.
   *
   * @param data anything Jackson can write as JSON (a Map, a record, a JsonNode, a String, null)
   * @param timeoutSeconds 1 to 604800 (7 days), counted from {@code add}
   * @throws GoWorkException INVALID_ARGUMENT when data does not serialize to JSON or timeoutSeconds is out of range
   */
  public static Work create(Object data, long timeoutSeconds) {
    checkTimeout(timeoutSeconds);
    return new Work(UUID.randomUUID().toString(), Topics.DEFAULT_QUEUE, toJson(data, "work data"), timeoutSeconds,
        1, 1, null, null, null, null, 0);
  }

  /**
   * The work a worker received (from {@code get} or the work topic), to fill in and {@code submit}
   * in-process, or to {@link #marshal} for a worker elsewhere ({@code Worker.process(String)} reads it).
   */
  public static Work from(WorkEnvelope w) {
    return new Work(w.workId(), w.queue(), w.data(), w.timeoutSeconds(), w.maxAttempts(), w.attempt(), null, null,
        w.createdAt(), w.deadline(), 0);
  }

  /** @throws GoWorkException INVALID_ARGUMENT for a bad queue name */
  public Work withQueue(String q) {
    return new Work(id, Topics.validateQueue(q), data, timeoutSeconds, maxAttempts, attempt, result, error, createdAt,
        deadline, delaySeconds);
  }

  /** @throws GoWorkException INVALID_ARGUMENT unless 1 to {@value #MAX_ATTEMPTS} */
  public Work withMaxAttempts(int n) {
    if (n < 1 || n > MAX_ATTEMPTS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "maxAttempts must be 1-" + MAX_ATTEMPTS + ", was " + n);
    }
    return new Work(id, queue, data, timeoutSeconds, n, attempt, result, error, createdAt, deadline, delaySeconds);
  }

  /**
   * Queues the work {@code seconds} after {@code add} instead of at once (Sidekiq's {@code perform_in},
   * BullMQ's {@code delay}): until then it is {@code scheduled}, kept by the coordinator, and its
   * timeout counts from when it is queued.
   *
   * @throws GoWorkException INVALID_ARGUMENT unless 0 to {@value #MAX_DELAY_SECONDS} (7 days)
   */
  public Work withDelaySeconds(long seconds) {
    if (seconds < 0 || seconds > MAX_DELAY_SECONDS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "delaySeconds must be 0-" + MAX_DELAY_SECONDS
          + " (7 days), was " + seconds);
    }
    return new Work(id, queue, data, timeoutSeconds, maxAttempts, attempt, result, error, createdAt, deadline, seconds);
  }

  /**
   * The same work under an id of the caller's instead of a random UUID, e.g. an order number: adding
   * work whose id the coordinator still knows fails with CONFLICT, so a producer that retries an add
   * (its answer lost) cannot add the work twice. The coordinator knows an id until its work is
   * forgotten: finished work after {@code GOWORK_FINISHED_RETENTION_SECONDS} (an hour) or beyond the
   * newest {@code GOWORK_FINISHED_MAX_ITEMS}, dead work when deleted or after 7 days.
   *
   * @param newId 1 to 200 letters, digits, '.', '_', ':', '@' or '-', not "." or ".." (they would not
   *     survive in a URL path)
   * @throws GoWorkException INVALID_ARGUMENT for another id
   */
  public Work withId(String newId) {
    if (newId == null || !ID.matcher(newId).matches() || newId.equals(".") || newId.equals("..")) {
      String shown = newId == null ? "null" : newId.length() > 40 ? newId.substring(0, 40) + "…" : newId;
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a work id must be 1-" + WireCodec.MAX_ID_LENGTH
          + " letters, digits, '.', '_', ':', '@' or '-', was '" + shown + "'");
    }
    return new Work(newId, queue, data, timeoutSeconds, maxAttempts, attempt, result, error, createdAt, deadline,
        delaySeconds);
  }

  /** Seconds after {@code add} that the work is queued; 0 for at once. */
  public long delaySeconds() {
    return delaySeconds;
  }

  /** The outcome of a successful attempt (the seed's {@code Worker.Submit(w, result, "")}). */
  public Work withResult(Object value) {
    return new Work(id, queue, data, timeoutSeconds, maxAttempts, attempt, toJson(value, "result"), null,
        createdAt, deadline, delaySeconds);
  }

  /** Marks the attempt failed with {@code message}. */
  public Work withError(String message) {
    return new Work(id, queue, data, timeoutSeconds, maxAttempts, attempt, result,
        Objects.requireNonNull(message, "message"), createdAt, deadline, delaySeconds);
  }

  public String id() {
    return id;
  }

  /** When the work was added; empty for work not added yet (made by {@link #create}). */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /** The deadline ({@code createdAt + timeoutSeconds}); empty for work not added yet. */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  public String queue() {
    return queue;
  }

  public JsonNode data() {
    return data;
  }

  public long timeoutSeconds() {
    return timeoutSeconds;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** 1 for new work; the attempt a worker received otherwise. */
  public int attempt() {
    return attempt;
  }

  /** The result set by {@link #withResult}, or null. */
  public JsonNode result() {
    return result;
  }

  /** The error set by {@link #withError}, or null. */
  public String error() {
    return error;
  }

  /**
   * JSON: {@code {"workId","queue","attempt","maxAttempts","timeoutSeconds","data","result","error"}};
   * for work that was added (see {@link #from}) also {@code "schema","createdAt","deadline"}, which
   * makes it a work envelope that a worker's {@code process(String)} accepts (the seed's
   * {@code Marshal} then {@code Worker.Process}).
   */
  public String marshal() {
    ObjectNode n = CODEC.mapper().createObjectNode();
    if (deadline != null) {
      n.put("schema", WorkEnvelope.SCHEMA);
    }
    n.put("workId", id);
    n.put("queue", queue);
    n.put("attempt", attempt);
    n.put("maxAttempts", maxAttempts);
    n.put("timeoutSeconds", timeoutSeconds);
    n.set("data", data);
    n.set("result", result == null ? NullNode.instance : result);
    if (error == null) {
      n.putNull("error");
    } else {
      n.put("error", error);
    }
    if (deadline != null) {
      n.put("createdAt", createdAt.toString());
      n.put("deadline", deadline.toString());
    }
    return new String(CODEC.write(n), StandardCharsets.UTF_8);
  }

  /**
   * Reads what {@link #marshal()} wrote (a work envelope's JSON is accepted too).
   *
   * @throws GoWorkException MALFORMED (or TOO_LARGE) naming what is wrong
   */
  public static Work unmarshal(String json) {
    if (json == null) {
      throw new GoWorkException(ErrorCode.MALFORMED, "no work JSON (null)");
    }
    JsonNode n = CODEC.parse(json.getBytes(StandardCharsets.UTF_8)).orThrow();
    String id = text(n, "workId", true);
    String queue = text(n, "queue", false);
    long timeout = n.path("timeoutSeconds").asLong(-1);
    int max = n.path("maxAttempts").asInt(1);
    int attempt = n.path("attempt").asInt(1);
    if (id.isEmpty() || id.length() > WireCodec.MAX_ID_LENGTH || max < 1 || max > MAX_ATTEMPTS || attempt < 1) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work JSON has an invalid workId, maxAttempts or attempt");
    }
    try {
      checkTimeout(timeout);
    } catch (GoWorkException e) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work JSON: " + e.getMessage());
    }
    JsonNode data = n.has("data") ? n.get("data") : NullNode.instance;
    JsonNode result = n.hasNonNull("result") ? n.get("result") : null;
    return new Work(id, queue == null ? Topics.DEFAULT_QUEUE : Topics.validateQueue(queue), data, timeout, max,
        attempt, result, text(n, "error", false), instant(n, "createdAt"), instant(n, "deadline"), 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Work w && id.equals(w.id) && queue.equals(w.queue) && data.equals(w.data)
        && timeoutSeconds == w.timeoutSeconds && maxAttempts == w.maxAttempts && attempt == w.attempt
        && Objects.equals(result, w.result) && Objects.equals(error, w.error) && Objects.equals(createdAt, w.createdAt)
        && Objects.equals(deadline, w.deadline) && delaySeconds == w.delaySeconds;
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Work[" + id + ", queue=" + queue + ", attempt=" + attempt + "/" + maxAttempts + ", timeout="
        + timeoutSeconds + "s]";
  }

  private static void checkTimeout(long timeoutSeconds) {
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "timeoutSeconds must be 1-" + MAX_TIMEOUT_SECONDS
          + " (7 days), was " + timeoutSeconds);
    }
  }

  private static JsonNode toJson(Object value, String what) {
    if (value == null) {
      return NullNode.instance;
    }
    try {
      JsonNode n = CODEC.mapper().valueToTree(value);
      return n == null ? NullNode.instance : n;
    } catch (IllegalArgumentException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, what + " does not serialize to JSON: "
          + e.getMessage(), e);
    }
  }

  private static Instant instant(JsonNode n, String field) {
    String text = text(n, field, false);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work JSON field '" + field + "' is not an ISO-8601 time: " + text);
    }
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new GoWorkException(ErrorCode.MALFORMED, "work JSON is missing '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work JSON field '" + field + "' must be a string");
    }
    return v.textValue();
  }
}
