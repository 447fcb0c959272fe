package dev.gowork.broker.wire;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * Encodes and decodes the three wire types (work, result, event) and plain JSON bodies.
 *
 * <p>Decoding is strict and total: malformed JSON, a value over {@link #maxRecordBytes()}, nesting
 * deeper than {@link #MAX_NESTING_DEPTH}, a missing or mistyped field, or an unknown schema version
 * comes back as a {@link Decoded} failure, never as an exception. One exception: an event's optional
 * fields ({@code queue}, {@code workId}, {@code workerId}, {@code workerName}, {@code attempt},
 * {@code maxAttempts}, {@code durationMs}, {@code error}) read as absent when mistyped, so that a
 * reader of {@code <p>.events} never loses an event over a field it cannot use. Thread-safe.
 *
 * <p>The envelopes are written and read with Jackson's streaming API, not through a tree: only the
 * free-form parts (work {@code data}, result {@code result}) become {@link JsonNode}s. The output
 * and the acceptance rules are those of the tree model ({@link #toJson}, {@link #workFrom}, ...).
 */
public final class WireCodec {
  private static final String TRAILING = "more data after the JSON value";
  // Field names encoded once: writing a name from a String re-encodes it on every record.
  /** Default limit on an encoded record or request body: 1 MiB. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
  /** Deepest JSON nesting accepted in any input. */
  public static final int MAX_NESTING_DEPTH = 64;
  /** Longest accepted work id or worker id. */
  public static final int MAX_ID_LENGTH = 200;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] WORK_FIELDS = {
      "schema", "workId", "queue", "attempt", "maxAttempts", "timeoutSeconds", "data", "createdAt", "deadline"};
  private static final String[] RESULT_FIELDS = {
      "schema", "workId", "attempt", "status", "result", "error", "workerId", "durationMs"};
  private static final String[] EVENT_FIELDS = {
      "schema", "id", "type", "time", "queue", "workId", "workerId", "workerName", "attempt", "maxAttempts", "durationMs",
      "error"};
  private final ObjectMapper mapper;
  private final JavaType nodeType;
  private final DefaultDeserializationContext contexts;
  /** Reads one value as a tree where a parser stands, as the mapper does inside readTree. */
  private final FieldValues.Trees trees = this::readTree;
  private final int maxRecordBytes;

  /** Reads one JSON value from a parser standing on its first token, leaving it on the value's last one. */
  @FunctionalInterface
  public interface ValueReader<T> {
    /** The value read; never null. */
    T read(JsonParser parser) throws IOException;
  }

  /** Writes one JSON value to a generator. */
  @FunctionalInterface
  public interface ValueWriter {
    void write(JsonGenerator generator) throws IOException;
  }

  public WireCodec(int maxRecordBytes) {
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
    this.nodeType = mapper.constructType(JsonNode.class);
    this.contexts = (DefaultDeserializationContext) mapper.getDeserializationContext();
  }

  /** A codec with the 1 MiB default limit. */
  public static WireCodec defaults() {
    return new WireCodec(DEFAULT_MAX_RECORD_BYTES);
  }

  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  /** The configured mapper, for callers that build JSON of their own (never for parsing untrusted input). */
  public ObjectMapper mapper() {
    return mapper;
  }

  // ---------------------------------------------------------------- encode

  /** The same bytes as {@code write(toJson(w))}. */
  public byte[] encode(WorkEnvelope w) {
    return generate(g -> EnvelopeWriter.work(g, w, mapper));
  }

  /** The same bytes as {@code write(toJson(r))}. */
  public byte[] encode(ResultEnvelope r) {
    return generate(g -> EnvelopeWriter.result(g, r, mapper));
  }

  /** The same bytes as {@code write(toJson(e))}. */
  public byte[] encode(Event e) {
    return generate(g -> EnvelopeWriter.event(g, e));
  }

  /**
   * Writes one JSON value with a streaming generator configured like {@link #mapper()}.
   *
   * @throws IllegalStateException if the writer fails (it writes to memory, so only on a bug)
   */
  public byte[] generate(ValueWriter writer) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = mapper.createGenerator(out, JsonEncoding.UTF8)) {
      writer.write(g);
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory failed", e);
    }
    return out.toByteArray();
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
    n.put("time", InstantText.format(e.time()));
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

  /** Any JSON tree to bytes, the same as {@code mapper().writeValueAsBytes(node)}. */
  public byte[] write(JsonNode node) {
    return generate(g -> EnvelopeWriter.tree(g, node, mapper));
  }


  // ---------------------------------------------------------------- decode

  /** Parses any JSON value under the size and depth limits. */
  public Decoded<JsonNode> parse(byte[] bytes) {
    return read(bytes, p -> FieldValues.value(p, trees));
  }

  /**
   * Reads one JSON value with a streaming parser under the same limits and rules as {@link #parse}:
   * size, nesting depth, duplicate fields and trailing tokens. Anything the parser or the reader
   * throws comes back as a {@code MALFORMED_JSON} failure.
   */
  public <T> Decoded<T> read(byte[] bytes, ValueReader<T> reader) {
    if (bytes == null) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "no value (null record)");
    }
    if (bytes.length > maxRecordBytes) {
      return Decoded.failure(DecodeError.Kind.TOO_LARGE,
          "value is " + bytes.length + " bytes, over the limit of " + maxRecordBytes);
    }
    try (JsonParser p = mapper.createParser(bytes)) {
      if (p.nextToken() == null) {
        return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "empty value: expected JSON");
      }
      T value = reader.read(p);
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "malformed JSON: " + TRAILING);
      }
      return Decoded.ok(value);
    } catch (JsonProcessingException e) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "malformed JSON: " + describe(e));
    } catch (IOException | RuntimeException e) {
      return Decoded.failure(DecodeError.Kind.MALFORMED_JSON, "unreadable JSON: " + e.getMessage());
    }
  }

  /** A sender's value as error texts quote it: at most 60 characters, so an error never echoes a megabyte. */
  static String shown(String value) {
    return value == null || value.length() <= 60 ? value : value.substring(0, 60) + "… (" + value.length() + " chars)";
  }

  /** An instant as GoWork writes it: ISO-8601 UTC with at least three fraction digits ({@code ...T10:00:00.000Z}). */
  public static String timeText(java.time.Instant t) {
    return InstantText.format(t);
  }

  /**
   * A Jackson parser message without its internal names (source descriptions such as
   * {@code [Source: REDACTED ...]}, {@code StreamReadConstraints} getters), for error texts.
   */
  public static String complaint(String parserMessage) {
    return String.valueOf(parserMessage)
        .replaceAll("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)", "")
        .replaceAll(",? from `[^`]*`", "");
  }

  /**
   * The parser's complaint in the words a sender can act on: Jackson's sentence and where it
   * happened, without its internal names (source descriptions, {@code StreamReadConstraints} getters).
   */
  static String describe(JsonProcessingException e) {
    if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
      return TRAILING;
    }
    String m = complaint(e.getOriginalMessage());
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 1 ? m : m + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /**
   * The value where the parser stands, as the tree {@link #parse} would hold for it, leaving the
   * parser on the value's last token. For {@link ValueReader}s.
   */
  public JsonNode readValue(JsonParser parser) throws IOException {
    return FieldValues.value(parser, trees);
  }

  public Decoded<WorkEnvelope> decodeWork(byte[] bytes) {
    Decoded<FieldValues> d = read(bytes, p -> fields(p, WORK_FIELDS));
    return d.isOk() ? work(new EnvelopeFields(present(d.value()), "work")) : failure(d);
  }

  public Decoded<ResultEnvelope> decodeResult(byte[] bytes) {
    Decoded<FieldValues> d = read(bytes, p -> fields(p, RESULT_FIELDS));
    return d.isOk() ? result(new EnvelopeFields(present(d.value()), "result")) : failure(d);
  }

  public Decoded<Event> decodeEvent(byte[] bytes) {
    Decoded<FieldValues> d = read(bytes, p -> fields(p, EVENT_FIELDS));
    return d.isOk() ? event(new EnvelopeFields(present(d.value()), "event")) : failure(d);
  }

  /** The object's fields, or {@link FieldValues#NOT_AN_OBJECT} after reading any other value. */
  private FieldValues fields(JsonParser p, String[] names) throws IOException {
    if (p.currentToken() == JsonToken.START_OBJECT) {
      return FieldValues.read(p, names, trees);
    }
    FieldValues.value(p, trees);
    return FieldValues.NOT_AN_OBJECT;
  }

  /**
   * The tree deserializer called directly, like the mapper's readTree does for a root value: unlike an
   * ObjectReader it leaves the parser's current token alone, which Jackson names in some of its errors.
   */
  private JsonNode readTree(JsonParser p) throws IOException {
    return contexts.createInstance(mapper.getDeserializationConfig(), p, mapper.getInjectableValues())
        .readValue(p, nodeType);
  }

  private static FieldValues present(FieldValues v) {
    return v == FieldValues.NOT_AN_OBJECT ? null : v;
  }

  private static <T> Decoded<T> failure(Decoded<?> d) {
    return Decoded.failure(d.error().kind(), d.error().message());
  }

  /** Reads a work envelope from an already parsed tree. */
  public Decoded<WorkEnvelope> workFrom(JsonNode n) {
    return work(new EnvelopeFields(n, "work"));
  }

  private static Decoded<WorkEnvelope> work(EnvelopeFields f) {
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
    return result(new EnvelopeFields(n, "result"));
  }

  private static Decoded<ResultEnvelope> result(EnvelopeFields f) {
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
          "result field 'status' must be one of completed, failed, timed_out, running; was '" + shown(statusText) + "'");
    }
    if (f.failed()) {
      return f.failure();
    }
    return Decoded.ok(new ResultEnvelope(workId, attempt, status,
        result == null || result.isNull() ? null : result, error, workerId, durationMs));
  }

  /** Reads an event from an already parsed tree. */
  public Decoded<Event> eventFrom(JsonNode n) {
    return event(new EnvelopeFields(n, "event"));
  }

  private static Decoded<Event> event(EnvelopeFields f) {
    f.schema(Event.SCHEMA, true);
    String id = f.string("id", true);
    String typeText = f.string("type", true);
    Instant time = f.instant("time", true);
    // The optional fields read as absent when mistyped: a reader must not lose the event over one it cannot use.
    String queue = f.optionalString("queue");
    String workId = f.optionalString("workId");
    String workerId = f.optionalString("workerId");
    // Shown to people (gowork events, dashboards): a name the rule refuses reads as none, as in a session record.
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
        WorkerNameRule.isValid(workerName) ? workerName : null, attempt < 0 ? null : clampToInt(attempt),
        maxAttempts < 0 ? null : clampToInt(maxAttempts), durationMs < 0 ? null : durationMs, error));
  }

  private static int clampToInt(long n) {
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
