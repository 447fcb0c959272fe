package dev.gowork.broker.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The codec as it was before it moved to streaming (commit a52d6fd, tree model throughout), kept
 * unchanged as the oracle that {@link WireCodecEquivalenceTest} compares {@link WireCodec} with.
 * Encodes and decodes the three wire types (work, result, event) and plain JSON bodies.
 *
 * <p>Decoding is strict and total: malformed JSON, a value over {@link #maxRecordBytes()}, nesting
 * deeper than {@link #MAX_NESTING_DEPTH}, a missing or mistyped field, or an unknown schema version
 * comes back as a {@link Decoded} failure, never as an exception. Thread-safe.
 */
final class TreeModelWireCodec {
  /** Default limit on an encoded record or request body: 1 MiB. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
  /** Deepest JSON nesting accepted in any input. */
  public static final int MAX_NESTING_DEPTH = 64;
  /** Longest accepted work id or worker id. */
  public static final int MAX_ID_LENGTH = 200;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final ObjectMapper mapper;
  private final int maxRecordBytes;

  TreeModelWireCodec(int maxRecordBytes) {
    if (maxRecordBytes < 1024) {
      throw new IllegalArgumentException("maxRecordBytes must be at least 1024, was " + maxRecordBytes);
    }
    this.maxRecordBytes = maxRecordBytes;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(maxRecordBytes)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.mapper = JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** A codec with the 1 MiB default limit. */
  public static TreeModelWireCodec defaults() {
    return new TreeModelWireCodec(DEFAULT_MAX_RECORD_BYTES);
  }

  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  /** The configured mapper, for callers that build JSON of their own (never for parsing untrusted input). */
  public ObjectMapper mapper() {
    return mapper;
  }

  // ---------------------------------------------------------------- encode

  public byte[] encode(WorkEnvelope w) {
    ObjectNode n = NODES.objectNode();
    n.put("schema", WorkEnvelope.SCHEMA);
    n.put("workId", w.workId());
    n.put("queue", w.queue());
    n.put("attempt", w.attempt());
    n.put("maxAttempts", w.maxAttempts());
    n.put("timeoutSeconds", w.timeoutSeconds());
    n.set("data", w.data());
    n.put("createdAt", wireText(w.createdAt()));
    n.put("deadline", wireText(w.deadline()));
    return write(n);
  }

  public byte[] encode(ResultEnvelope r) {
    return write(toJson(r));
  }

  public byte[] encode(Event e) {
    return write(toJson(e));
  }

  /** The result as a JSON tree (for HTTP answers). */
  public ObjectNode toJson(ResultEnvelope r) {
    ObjectNode n = NODES.objectNode();
    n.put("schema", ResultEnvelope.SCHEMA);
    n.put("workId", r.workId());
    n.put("attempt", r.attempt());
    n.put("status", r.status().wireName());
    n.set("result", r.result() == null ? NullNode.instance : r.result());
    if (r.error() == null) {
      n.putNull("error");
    } else {
      n.put("error", r.error());
    }
    if (r.workerId() != null) {
      n.put("workerId", r.workerId());
    }
    if (r.durationMs() >= 0) {
      n.put("durationMs", r.durationMs());
    }
    return n;
  }

  /** The event as a JSON tree; fields that do not apply are left out. */
  public ObjectNode toJson(Event e) {
    ObjectNode n = NODES.objectNode();
    n.put("schema", Event.SCHEMA);
    n.put("id", e.id());
    n.put("type", e.type().id());
    n.put("time", wireText(e.time()));
    putIfPresent(n, "queue", e.queue());
    putIfPresent(n, "workId", e.workId());
    putIfPresent(n, "workerId", e.workerId());
    putIfPresent(n, "workerName", e.workerName());
    if (e.attempt() != null) {
      n.put("attempt", e.attempt());
    }
    if (e.maxAttempts() != null) {
      n.put("maxAttempts", e.maxAttempts());
    }
    if (e.durationMs() != null) {
      n.put("durationMs", e.durationMs());
    }
    putIfPresent(n, "error", e.error());
    return n;
  }

  /** The work as a JSON tree (for HTTP answers). */
  public ObjectNode toJson(WorkEnvelope w) {
    try {
      return (ObjectNode) mapper.readTree(encode(w));
    } catch (IOException e) {
      throw new IllegalStateException("re-reading our own JSON failed", e);
    }
  }

  /** Any JSON tree to bytes. */
  public byte[] write(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize", e);
    }
  }

  // ---------------------------------------------------------------- decode

  /** Parses any JSON value under the size and depth limits. */
  public Decoded<JsonNode> parse(byte[] bytes) {
    if (bytes == null) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "no value (null record)");
    }
    if (bytes.length > maxRecordBytes) {
      return Decoded.failure(DecodeError.Kind.TOO_LARGE,
          "value is " + bytes.length + " bytes, over the limit of " + maxRecordBytes);
    }
    try {
      JsonNode node = mapper.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "empty value: expected JSON");
      }
      return Decoded.ok(node);
    } catch (JsonProcessingException e) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "malformed JSON: " + WireCodec.describe(e));
    } catch (IOException | RuntimeException e) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "unreadable JSON: " + e.getMessage());
    }
  }

  public Decoded<WorkEnvelope> decodeWork(byte[] bytes) {
    Decoded<JsonNode> json = parse(bytes);
    return json.isOk() ? workFrom(json.value()) : Decoded.failure(json.error().kind(), json.error().message());
  }

  public Decoded<ResultEnvelope> decodeResult(byte[] bytes) {
    Decoded<JsonNode> json = parse(bytes);
    return json.isOk() ? resultFrom(json.value()) : Decoded.failure(json.error().kind(), json.error().message());
  }

  public Decoded<Event> decodeEvent(byte[] bytes) {
    Decoded<JsonNode> json = parse(bytes);
    return json.isOk() ? eventFrom(json.value()) : Decoded.failure(json.error().kind(), json.error().message());
  }

  /** Reads a work envelope from an already parsed tree. */
  public Decoded<WorkEnvelope> workFrom(JsonNode n) {
    Fields f = new Fields(n, "work");
    f.schema(WorkEnvelope.SCHEMA, false);
    String workId = f.id("workId");
    String queue = f.string("queue", true);
    int attempt = f.positiveInt("attempt", true, 1);
    int maxAttempts = f.positiveInt("maxAttempts", false, 1);
    long timeoutSeconds = f.positiveLong("timeoutSeconds", false, 0);
    JsonNode data = f.any("data", true);
    Instant createdAt = f.instant("createdAt", true);
    Instant deadline = f.instant("deadline", true);
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new WorkEnvelope(workId, queue, attempt, maxAttempts, timeoutSeconds, data, createdAt, deadline));
  }

  /** Reads a result envelope from an already parsed tree (e.g. an HTTP body). */
  public Decoded<ResultEnvelope> resultFrom(JsonNode n) {
    Fields f = new Fields(n, "result");
    f.schema(ResultEnvelope.SCHEMA, false);
    String workId = f.id("workId");
    int attempt = f.positiveInt("attempt", true, 1);
    String statusText = f.string("status", true);
    JsonNode result = f.any("result", false);
    String error = f.nullableString("error");
    String workerId = f.nullableString("workerId");
    long durationMs = f.positiveLong("durationMs", false, -1);
    ResultStatus status = ResultStatus.fromWire(statusText);
    if (!f.failed() && status == null) {
      f.fail(DecodeError.Kind.INVALID_FIELD,
          "result field 'status' must be one of completed, failed, timed_out, running; was '" + WireCodec.shown(statusText) + "'");
    }
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new ResultEnvelope(workId, attempt, status,
        result == null || result.isNull() ? null : result, error, workerId, durationMs));
  }

  /** Reads an event from an already parsed tree. */
  public Decoded<Event> eventFrom(JsonNode n) {
    Fields f = new Fields(n, "event");
    f.schema(Event.SCHEMA, true);
    String id = f.string("id", true);
    String typeText = f.string("type", true);
    Instant time = f.instant("time", true);
    // Since the optional fields read as absent when mistyped (as in WireCodec), not a decoding failure.
    String queue = f.optionalString("queue");
    String workId = f.optionalString("workId");
    String workerId = f.optionalString("workerId");
    String workerName = f.optionalString("workerName");
    long attempt = f.optionalCount("attempt");
    long maxAttempts = f.optionalCount("maxAttempts");
    long durationMs = f.optionalCount("durationMs");
    String error = f.optionalString("error");
    EventType type = EventType.fromId(typeText);
    if (!f.failed() && type == null) {
      f.fail(DecodeError.Kind.INVALID_FIELD, "event field 'type' is unknown: '" + typeText + "'");
    }
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new Event(id, type, time, queue, workId, workerId,
        WorkerNameRule.isValid(workerName) ? workerName : null, attempt < 0 ? null : (int) Math.min(attempt, Integer.MAX_VALUE),
        maxAttempts < 0 ? null : (int) Math.min(maxAttempts, Integer.MAX_VALUE), durationMs < 0 ? null : durationMs, error));
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  /** Collects the first field error while reading an object. */
  private static final class Fields {
    private final JsonNode node;
    private final String what;
    private DecodeError error;

    Fields(JsonNode node, String what) {
      this.node = node;
      this.what = what;
      if (node == null || !node.isObject()) {
        fail(DecodeError.Kind.MALFORMED_JSON, what + " must be a JSON object");
      }
    }

    boolean failed() {
      return error != null;
    }

    <T> Decoded<T> failure() {
      return Decoded.failure(error.kind(), error.message());
    }

    void fail(DecodeError.Kind kind, String message) {
      if (error == null) {
        error = new DecodeError(kind, message);
      }
    }

    private JsonNode field(String name, boolean required) {
      if (failed()) {
        return null;
      }
      JsonNode v = node.get(name);
      if ((v == null || v.isNull()) && required) {
        fail(DecodeError.Kind.MISSING_FIELD, what + " is missing field '" + name + "'");
        return null;
      }
      return v == null || v.isNull() ? null : v;
    }

    void schema(String expected, boolean required) {
      JsonNode v = field("schema", required);
      if (v != null && !expected.equals(v.asText())) {
        fail(DecodeError.Kind.UNSUPPORTED_SCHEMA,
            what + " schema '" + WireCodec.shown(v.asText()) + "' is not supported; expected '" + expected + "'");
      }
    }

    String string(String name, boolean required) {
      JsonNode v = field(name, required);
      if (v == null) {
        return null;
      }
      if (!v.isTextual()) {
        fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be a string");
        return null;
      }
      return v.textValue();
    }

    String nullableString(String name) {
      return string(name, false);
    }

    String optionalString(String name) {
      JsonNode v = field(name, false);
      return v != null && v.isTextual() ? v.textValue() : null;
    }

    long optionalCount(String name) {
      JsonNode v = field(name, false);
      if (v == null || v.getNodeType() != JsonNodeType.NUMBER || !v.canConvertToLong() || !v.isIntegralNumber()
          || v.asLong() < 0) {
        return -1;
      }
      return v.asLong();
    }

    String id(String name) {
      String s = string(name, true);
      if (s != null && (s.isEmpty() || s.length() > MAX_ID_LENGTH)) {
        fail(DecodeError.Kind.INVALID_FIELD,
            what + " field '" + name + "' must be 1-" + MAX_ID_LENGTH + " characters");
      }
      return s;
    }

    JsonNode any(String name, boolean required) {
      if (failed()) {
        return null;
      }
      JsonNode v = node.get(name);
      if (v == null) {
        if (required) {
          fail(DecodeError.Kind.MISSING_FIELD, what + " is missing field '" + name + "'");
        }
        return required ? null : NullNode.instance;
      }
      return v;
    }

    int positiveInt(String name, boolean required, int fallback) {
      long v = positiveLong(name, required, fallback);
      if (!failed() && v < 1) {
        fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be at least 1");
        return fallback;
      }
      if (v > Integer.MAX_VALUE) {
        fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' is too large");
        return fallback;
      }
      return (int) v;
    }

    long positiveLong(String name, boolean required, long fallback) {
      JsonNode v = field(name, required);
      if (v == null) {
        return fallback;
      }
      if (v.getNodeType() != JsonNodeType.NUMBER || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
        fail(DecodeError.Kind.INVALID_FIELD, what + " field '" + name + "' must be a non-negative integer");
        return fallback;
      }
      return v.asLong();
    }

    Instant instant(String name, boolean required) {
      String s = string(name, required);
      if (s == null) {
        return null;
      }
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        fail(DecodeError.Kind.INVALID_FIELD,
            what + " field '" + name + "' must be an ISO-8601 UTC time such as 2026-11-28T10:00:00Z");
        return null;
      }
    }
  }

  /** {@link Instant#toString()} with at least three fraction digits: the documented wire form. */
  static String wireText(Instant t) {
    String text = t.toString();
    return t.getNano() == 0 ? text.substring(0, text.length() - 1) + ".000Z" : text;
  }
}
