package dev.gowork.broker.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Writes the three envelopes field by field with a streaming generator, in the order and shape of
 * the tree model ({@link WireCodec#toJson}); field names are encoded once.
 */
final class EnvelopeWriter {
  private static final SerializedString F_ATTEMPT = new SerializedString("attempt");
  private static final SerializedString F_CREATED_AT = new SerializedString("createdAt");
  private static final SerializedString F_DATA = new SerializedString("data");
  private static final SerializedString F_DEADLINE = new SerializedString("deadline");
  private static final SerializedString F_DURATION_MS = new SerializedString("durationMs");
  private static final SerializedString F_ERROR = new SerializedString("error");
  private static final SerializedString F_ID = new SerializedString("id");
  private static final SerializedString F_MAX_ATTEMPTS = new SerializedString("maxAttempts");
  private static final SerializedString F_QUEUE = new SerializedString("queue");
  private static final SerializedString F_RESULT = new SerializedString("result");
  private static final SerializedString F_SCHEMA = new SerializedString("schema");
  private static final SerializedString F_STATUS = new SerializedString("status");
  private static final SerializedString F_TIME = new SerializedString("time");
  private static final SerializedString F_TIMEOUT_SECONDS = new SerializedString("timeoutSeconds");
  private static final SerializedString F_TYPE = new SerializedString("type");
  private static final SerializedString F_WORK_ID = new SerializedString("workId");
  private static final SerializedString F_WORKER_ID = new SerializedString("workerId");

  private EnvelopeWriter() {}

  /** A work envelope, as {@code WireCodec.toJson(w)} would write it. */
  static void work(JsonGenerator g, WorkEnvelope w, ObjectMapper mapper) throws IOException {
    g.writeStartObject();
    g.writeFieldName(F_SCHEMA);
    g.writeString(WorkEnvelope.SCHEMA);
    g.writeFieldName(F_WORK_ID);
    g.writeString(w.workId());
    g.writeFieldName(F_QUEUE);
    g.writeString(w.queue());
    g.writeFieldName(F_ATTEMPT);
    g.writeNumber(w.attempt());
    g.writeFieldName(F_MAX_ATTEMPTS);
    g.writeNumber(w.maxAttempts());
    g.writeFieldName(F_TIMEOUT_SECONDS);
    g.writeNumber(w.timeoutSeconds());
    g.writeFieldName(F_DATA);
    tree(g, w.data(), mapper);
    g.writeFieldName(F_CREATED_AT);
    g.writeString(InstantText.format(w.createdAt()));
    g.writeFieldName(F_DEADLINE);
    g.writeString(InstantText.format(w.deadline()));
    g.writeEndObject();
  }

  /** A result envelope, as {@code WireCodec.toJson(r)} would write it. */
  static void result(JsonGenerator g, ResultEnvelope r, ObjectMapper mapper) throws IOException {
    g.writeStartObject();
    g.writeFieldName(F_SCHEMA);
    g.writeString(ResultEnvelope.SCHEMA);
    g.writeFieldName(F_WORK_ID);
    g.writeString(r.workId());
    g.writeFieldName(F_ATTEMPT);
    g.writeNumber(r.attempt());
    g.writeFieldName(F_STATUS);
    g.writeString(r.status().wireName());
    g.writeFieldName(F_RESULT);
    tree(g, r.result(), mapper);
    g.writeFieldName(F_ERROR);
    g.writeString(r.error());
    if (r.workerId() != null) {
      g.writeFieldName(F_WORKER_ID);
      g.writeString(r.workerId());
    }
    if (r.durationMs() >= 0) {
      g.writeFieldName(F_DURATION_MS);
      g.writeNumber(r.durationMs());
    }
    g.writeEndObject();
  }

  /** An event, as {@code WireCodec.toJson(e)} would write it; fields that do not apply are left out. */
  static void event(JsonGenerator g, Event e) throws IOException {
    g.writeStartObject();
    g.writeFieldName(F_SCHEMA);
    g.writeString(Event.SCHEMA);
    g.writeFieldName(F_ID);
    g.writeString(e.id());
    g.writeFieldName(F_TYPE);
    g.writeString(e.type().id());
    g.writeFieldName(F_TIME);
    g.writeString(InstantText.format(e.time()));
    writeIfPresent(g, "queue", e.queue());
    writeIfPresent(g, "workId", e.workId());
    writeIfPresent(g, "workerId", e.workerId());
    writeIfPresent(g, "workerName", e.workerName());
    if (e.attempt() != null) {
      g.writeFieldName(F_ATTEMPT);
      g.writeNumber(e.attempt().intValue());
    }
    if (e.maxAttempts() != null) {
      g.writeFieldName(F_MAX_ATTEMPTS);
      g.writeNumber(e.maxAttempts().intValue());
    }
    if (e.durationMs() != null) {
      g.writeFieldName(F_DURATION_MS);
      g.writeNumber(e.durationMs().longValue());
    }
    writeIfPresent(g, "error", e.error());
    g.writeEndObject();
  }

  /** A free-form value (work data, a result); null as JSON null. */
  static void tree(JsonGenerator g, JsonNode node, ObjectMapper mapper) throws IOException {
    if (node == null) {
      g.writeNull();
    } else {
      TreeWriter.write(g, node, mapper);
    }
  }

  private static void writeIfPresent(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
