package dev.gowork.coordinator.work;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The state record of one work item on {@code <p>.state} (key = work id), version 1:
 * <pre>{@code
 * {"v":1,"workId","queue","state":"running","attempt","maxAttempts","timeoutSeconds","createdAt",
 *  "updatedAt","deadline" (epoch ms),"workerId","partition","offset","republish","result","error",
 *  "progress":{"percent","message"},"runAt" (epoch ms),"parked","handedOut","noticeAt" (epoch ms)}
 * }</pre>
 * {@code runAt} and {@code parked} (the first publication is on {@code <p>.scheduled}) only for work
 * added with a delay. {@code handedOut} (the running attempt was handed out over HTTP to {@code workerId})
 * and {@code noticeAt} (the signed time of the last running notice applied to the attempt) only when
 * set; records written before they existed read as not handed out and no notice.
 * {@code result} (completed items) is omitted, with {@code "resultOmitted":true}, when it would make
 * the record larger than the codec's limit; the payload is never stored (it stays on the work topic).
 * Written and read with Jackson's streaming API; the bytes and the acceptance rules are those the tree
 * model gave.
 */
final class WorkStateCodec {
  // Field names encoded once: writing a name from a String re-encodes it on every record.
  private static final SerializedString F_ATTEMPT = new SerializedString("attempt");
  private static final SerializedString F_CREATED_AT = new SerializedString("createdAt");
  private static final SerializedString F_DEADLINE = new SerializedString("deadline");
  private static final SerializedString F_ERROR = new SerializedString("error");
  private static final SerializedString F_MAX_ATTEMPTS = new SerializedString("maxAttempts");
  private static final SerializedString F_OFFSET = new SerializedString("offset");
  private static final SerializedString F_PARTITION = new SerializedString("partition");
  private static final SerializedString F_PROGRESS = new SerializedString("progress");
  private static final SerializedString F_RUN_AT = new SerializedString("runAt");
  private static final SerializedString F_PARKED = new SerializedString("parked");
  private static final SerializedString F_HANDED_OUT = new SerializedString("handedOut");
  private static final SerializedString F_NOTICE_AT = new SerializedString("noticeAt");
  private static final SerializedString F_PERCENT = new SerializedString("percent");
  private static final SerializedString F_MESSAGE = new SerializedString("message");
  private static final SerializedString F_QUEUE = new SerializedString("queue");
  private static final SerializedString F_REPUBLISH = new SerializedString("republish");
  private static final SerializedString F_RESULT = new SerializedString("result");
  private static final SerializedString F_RESULT_OMITTED = new SerializedString("resultOmitted");
  private static final SerializedString F_STATE = new SerializedString("state");
  private static final SerializedString F_TIMEOUT_SECONDS = new SerializedString("timeoutSeconds");
  private static final SerializedString F_UPDATED_AT = new SerializedString("updatedAt");
  private static final SerializedString F_V = new SerializedString("v");
  private static final SerializedString F_WORK_ID = new SerializedString("workId");
  private static final SerializedString F_WORKER_ID = new SerializedString("workerId");
  static final int VERSION = 1;
  private static final int HEADROOM = 8192;
  private static final Set<String> FIELDS = Set.of("v", "workId", "queue", "state", "attempt", "maxAttempts",
      "timeoutSeconds", "createdAt", "updatedAt", "deadline", "workerId", "partition", "offset", "republish",
      "result", "error", "progress", "runAt", "parked", "handedOut", "noticeAt");
  private final WireCodec codec;

  WorkStateCodec(WireCodec codec) {
    this.codec = codec;
  }

  byte[] encode(WorkRecord r) {
    try {
      return codec.generate(g -> write(g, r, true));
    } catch (UnreadableResult e) {
      return codec.generate(g -> write(g, r, false));
    }
  }

  /** Writes the record; a stored result that is not valid JSON is left out, as if there were none. */
  private void write(JsonGenerator g, WorkRecord r, boolean withResult) throws IOException {
    g.writeStartObject();
    g.writeFieldName(F_V);
    g.writeNumber(VERSION);
    g.writeFieldName(F_WORK_ID);
    g.writeString(r.workId);
    g.writeFieldName(F_QUEUE);
    g.writeString(r.queue);
    g.writeFieldName(F_STATE);
    g.writeString(r.state.wireName());
    g.writeFieldName(F_ATTEMPT);
    g.writeNumber(r.attempt);
    g.writeFieldName(F_MAX_ATTEMPTS);
    g.writeNumber(r.maxAttempts);
    g.writeFieldName(F_TIMEOUT_SECONDS);
    g.writeNumber(r.timeoutSeconds);
    g.writeFieldName(F_CREATED_AT);
    g.writeNumber(r.createdAt);
    g.writeFieldName(F_UPDATED_AT);
    g.writeNumber(r.updatedAt);
    g.writeFieldName(F_DEADLINE);
    g.writeNumber(r.deadline);
    if (r.workerId != null) {
      g.writeFieldName(F_WORKER_ID);
      g.writeString(r.workerId);
    }
    g.writeFieldName(F_PARTITION);
    g.writeNumber(r.partition);
    g.writeFieldName(F_OFFSET);
    g.writeNumber(r.offset);
    if (r.republishPending) {
      g.writeFieldName(F_REPUBLISH);
      g.writeBoolean(true);
    }
    if (r.runAt >= 0) {
      g.writeFieldName(F_RUN_AT);
      g.writeNumber(r.runAt);
    }
    if (r.parked) {
      g.writeFieldName(F_PARKED);
      g.writeBoolean(true);
    }
    if (r.handedOut) {
      g.writeFieldName(F_HANDED_OUT);
      g.writeBoolean(true);
    }
    if (r.noticeAt >= 0) {
      g.writeFieldName(F_NOTICE_AT);
      g.writeNumber(r.noticeAt);
    }
    if (r.progress != null) {
      g.writeFieldName(F_PROGRESS);
      g.writeStartObject();
      g.writeFieldName(F_PERCENT);
      g.writeNumber(r.progress.percent());
      if (r.progress.message() != null) {
        g.writeFieldName(F_MESSAGE);
        g.writeString(r.progress.message());
      }
      g.writeEndObject();
    }
    if (r.outcome instanceof String error) {
      g.writeFieldName(F_ERROR);
      g.writeString(error);
    }
    if (r.outcome instanceof byte[] result) {
      if (result.length + HEADROOM < codec.maxRecordBytes()) {
        if (withResult) {
          // parsed under the codec's rules and re-written token by token, as the tree was before
          g.writeFieldName(F_RESULT);
          if (!codec.read(result, p -> copy(p, g)).isOk()) {
            throw new UnreadableResult();
          }
        }
      } else {
        g.writeFieldName(F_RESULT_OMITTED);
        g.writeBoolean(true);
      }
    }
    g.writeEndObject();
  }

  private static Boolean copy(JsonParser p, JsonGenerator g) throws IOException {
    g.copyCurrentStructure(p);
    return Boolean.TRUE;
  }

  /** A stored result that failed to parse: encode again without it. */
  private static final class UnreadableResult extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableResult() {
      super(null, null, false, false);
    }
  }

  /**
   * @return the record, or null with {@code problem[0]} set when the value is not a valid v1 state record
   */
  WorkRecord decode(String key, byte[] value, String[] problem) {
    Decoded<Map<String, JsonNode>> d = codec.read(value, this::fields);
    if (!d.isOk()) {
      problem[0] = d.error().message();
      return null;
    }
    Map<String, JsonNode> n = d.value();
    if (path(n, "v").asInt(-1) != VERSION) {
      problem[0] = "unsupported state record version " + path(n, "v");
      return null;
    }
    try {
      String workId = text(n, "workId");
      if (!workId.equals(key)) {
        throw new IllegalArgumentException("key " + key + " does not match workId");
      }
      WorkRecord r = new WorkRecord(workId, text(n, "queue").intern(), number(n, "createdAt"),
          number(n, "deadline"), (int) number(n, "timeoutSeconds"), (int) number(n, "attempt"),
          (int) number(n, "maxAttempts"));
      r.state = WorkState.valueOf(text(n, "state").toUpperCase(Locale.ROOT));
      r.updatedAt = number(n, "updatedAt");
      r.workerId = hasNonNull(n, "workerId") ? n.get("workerId").asText() : null;
      r.partition = (int) number(n, "partition");
      r.offset = number(n, "offset");
      r.republishPending = path(n, "republish").asBoolean(false);
      r.runAt = hasNonNull(n, "runAt") ? number(n, "runAt") : -1;
      r.parked = path(n, "parked").asBoolean(false);
      r.progress = r.state == WorkState.RUNNING ? Progress.from(n.get("progress")) : null;
      r.handedOut = r.state == WorkState.RUNNING && path(n, "handedOut").asBoolean(false);
      r.noticeAt = r.state == WorkState.RUNNING && hasNonNull(n, "noticeAt") ? number(n, "noticeAt") : -1;
      if (hasNonNull(n, "result")) {
        r.outcome = codec.write(n.get("result"));
      } else if (hasNonNull(n, "error")) {
        r.outcome = n.get("error").asText();
      }
      if (r.attempt < 1 || r.maxAttempts < 1 || r.timeoutSeconds < 1) {
        throw new IllegalArgumentException("attempt, maxAttempts and timeoutSeconds must be positive");
      }
      return r;
    } catch (IllegalArgumentException e) {
      problem[0] = "invalid state record: " + e.getMessage();
      return null;
    }
  }

  /** The record's known fields as the tree would hold them; none when the value is not an object. */
  private Map<String, JsonNode> fields(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      codec.readValue(p);
      return Map.of();
    }
    Map<String, JsonNode> fields = new HashMap<>(32);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      JsonNode v = codec.readValue(p);
      if (FIELDS.contains(name)) {
        fields.put(name, v);
      }
    }
    return fields;
  }

  private static JsonNode path(Map<String, JsonNode> n, String field) {
    JsonNode v = n.get(field);
    return v == null ? MissingNode.getInstance() : v;
  }

  private static boolean hasNonNull(Map<String, JsonNode> n, String field) {
    JsonNode v = n.get(field);
    return v != null && !v.isNull();
  }

  private static String text(Map<String, JsonNode> n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > WireCodec.MAX_ID_LENGTH) {
      throw new IllegalArgumentException("missing or invalid '" + field + "'");
    }
    return v.asText();
  }

  private static long number(Map<String, JsonNode> n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("missing or invalid '" + field + "'");
    }
    return v.asLong();
  }
}
