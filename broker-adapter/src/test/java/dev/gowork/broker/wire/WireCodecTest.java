package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireCodecTest {
  private final WireCodec codec = WireCodec.defaults();
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00.123Z");

  static WorkEnvelope sampleWork() {
    var data = JsonNodeFactory.instance.objectNode().put("n", 7).put("s", "héllo");
    return new WorkEnvelope("w-1", "default", 1, 3, 30, data, T0, T0.plusSeconds(30));
  }

  @Test
  void workRoundTrips() {
    WorkEnvelope w = sampleWork();
    assertEquals(w, codec.decodeWork(codec.encode(w)).value());
  }

  @Test
  void resultRoundTripsWithNullResultAndError() {
    var r = new ResultEnvelope("w-1", 2, ResultStatus.FAILED, null, "boom", "worker-9", 12);
    assertEquals(r, codec.decodeResult(codec.encode(r)).value());
    var ok = new ResultEnvelope("w-1", 1, ResultStatus.COMPLETED,
        JsonNodeFactory.instance.arrayNode().add(1).add("x"), null, null, -1);
    assertEquals(ok, codec.decodeResult(codec.encode(ok)).value());
  }

  @Test
  void aWorkEventCarriesMaxAttemptsAndOneWrittenWithoutItReadsAsNull() {
    var e = new Event("id-2", EventType.WORK_FAILED, T0, "default", "w-1", "worker-1", 2, 3, 40L, "boom");
    byte[] bytes = codec.encode(e);
    assertEquals(e, codec.decodeEvent(bytes).value());
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(json.contains("\"attempt\":2,\"maxAttempts\":3,"), json);
    String older = "{\"schema\":\"gowork.event/v1\",\"id\":\"e\",\"type\":\"work_failed\","
        + "\"time\":\"2026-11-28T10:00:00.123Z\",\"attempt\":1}";
    assertNull(codec.decodeEvent(older.getBytes(StandardCharsets.UTF_8)).value().maxAttempts());
  }

  private static final String EVENT = "{\"schema\":\"gowork.event/v1\",\"id\":\"e\",\"type\":\"work_complete\","
      + "\"time\":\"2026-11-28T10:00:00.123Z\",\"queue\":\"q\",\"workId\":\"wk-1\",\"workerId\":\"w-1\","
      + "\"workerName\":\"build-7\",\"attempt\":2,\"maxAttempts\":3,\"durationMs\":12,\"error\":\"boom\"}";
  private static final Event AS_WRITTEN = new Event("e", EventType.WORK_COMPLETE, T0, "q", "wk-1", "w-1", "build-7", 2,
      3, 12L, "boom");

  /** {@link #EVENT} with {@code field} holding {@code value}, as someone writing to the events topic may put it. */
  private Decoded<Event> eventWith(String field, String value) {
    String json = EVENT.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "\"" + field + "\":" + value);
    assertTrue(json.contains("\"" + field + "\":" + value), json);
    return codec.decodeEvent(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aWorkerNameThatIsNotAStringReadsAsAbsentAndTheEventIsKept() {
    assertEquals(AS_WRITTEN, codec.decodeEvent(EVENT.getBytes(StandardCharsets.UTF_8)).value());
    for (String notAString : List.of("7", "true", "[\"build-7\"]", "{\"name\":\"build-7\"}")) {
      Decoded<Event> d = eventWith("workerName", notAString);
      assertTrue(d.isOk(), notAString + ": " + d);
      assertEquals(new Event("e", EventType.WORK_COMPLETE, T0, "q", "wk-1", "w-1", null, 2, 3, 12L, "boom"), d.value());
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {"queue | 7", "workId | {\"id\":1}", "workerId | [\"w-1\"]", "error | true",
      "attempt | \"2\"", "maxAttempts | -1", "durationMs | 1.5"})
  void anOptionalEventFieldThatCannotBeReadReadsAsAbsentAndTheEventIsKept(String field, String value) {
    Decoded<Event> d = eventWith(field, value);
    assertTrue(d.isOk(), field + "=" + value + ": " + d);
    assertEquals(codec.toJson(AS_WRITTEN).without(field), codec.toJson(d.value()));
  }

  @Test
  void aWorkerEventCarriesTheWorkersNameEscapedAndOneWithoutAValidNameReadsAsUnnamed() {
    String name = "build \"east\" \\ nœud";
    var e = new Event("id-3", EventType.WORKER_VERIFY, T0, null, null, "w-1", name, null, null, null, null);
    byte[] bytes = codec.encode(e);
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(json.contains("\"workerId\":\"w-1\",\"workerName\":\"build \\\"east\\\" \\\\ nœud\""), json);
    assertEquals(e, codec.decodeEvent(bytes).value());
    assertEquals(name, codec.toJson(e).get("workerName").textValue());
    // Written by hand (the coordinator checks names at registration): a name the rule refuses is not shown.
    String refused = json.replace("build", "\\u202ebuild");
    assertNull(codec.decodeEvent(refused.getBytes(StandardCharsets.UTF_8)).value().workerName(), refused);
    var unnamed = new Event("id-4", EventType.WORKER_VERIFY, T0, null, null, "w-1", null, null, null, null, null);
    assertFalse(new String(codec.encode(unnamed), StandardCharsets.UTF_8).contains("workerName"));
  }

  @Test
  void eventRoundTripsAndOmitsAbsentFields() {
    var e = new Event("id-1", EventType.WORK_COMPLETE, T0, "default", "w-1", "worker-1", 1, 12L, null);
    byte[] bytes = codec.encode(e);
    assertEquals(e, codec.decodeEvent(bytes).value());
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(json.contains("\"schema\":\"gowork.event/v1\""), json);
    assertTrue(json.contains("\"time\":\"2026-11-28T10:00:00.123Z\""), json);
    assertFalse(json.contains("\"error\""), json);
  }

  @Test
  void resultWithoutSchemaIsAcceptedAsV1() {
    String body = "{\"workId\":\"a\",\"attempt\":1,\"status\":\"completed\",\"result\":{\"x\":1},\"error\":null}";
    Decoded<ResultEnvelope> d = codec.decodeResult(body.getBytes(StandardCharsets.UTF_8));
    assertTrue(d.isOk(), d::toString);
    assertEquals(-1, d.value().durationMs());
  }

  @Test
  void malformedJsonIsATypedError() {
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.decodeWork("{not json".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.decodeWork("{} trailing".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.decodeWork(new byte[0]));
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.decodeWork(null));
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.decodeResult("[1,2]".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.MALFORMED_JSON,
        codec.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void oversizedValueIsATypedError() {
    WireCodec small = new WireCodec(1024);
    byte[] big = ("{\"pad\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertKind(DecodeError.Kind.TOO_LARGE, small.decodeWork(big));
  }

  @Test
  void tooDeepNestingIsATypedError() {
    String deep = "[".repeat(WireCodec.MAX_NESTING_DEPTH + 5) + "]".repeat(WireCodec.MAX_NESTING_DEPTH + 5);
    assertKind(DecodeError.Kind.MALFORMED_JSON, codec.parse(deep.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void missingFieldIsATypedErrorNamingTheField() {
    String noDeadline = "{\"workId\":\"a\",\"queue\":\"q\",\"attempt\":1,\"data\":1,\"createdAt\":\"2026-11-28T10:00:00Z\"}";
    Decoded<WorkEnvelope> d = codec.decodeWork(noDeadline.getBytes(StandardCharsets.UTF_8));
    assertKind(DecodeError.Kind.MISSING_FIELD, d);
    assertTrue(d.error().message().contains("deadline"), d.error().message());
    String noData = "{\"workId\":\"a\",\"queue\":\"q\",\"attempt\":1,\"createdAt\":\"2026-11-28T10:00:00Z\",\"deadline\":\"2026-11-28T10:00:00Z\"}";
    assertKind(DecodeError.Kind.MISSING_FIELD, codec.decodeWork(noData.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void unknownSchemaVersionIsATypedError() {
    String v2 = "{\"schema\":\"gowork.result/v2\",\"workId\":\"a\",\"attempt\":1,\"status\":\"completed\"}";
    assertKind(DecodeError.Kind.UNSUPPORTED_SCHEMA, codec.decodeResult(v2.getBytes(StandardCharsets.UTF_8)));
    String noSchemaEvent = "{\"id\":\"x\",\"type\":\"add_work\",\"time\":\"2026-11-28T10:00:00Z\"}";
    assertKind(DecodeError.Kind.MISSING_FIELD, codec.decodeEvent(noSchemaEvent.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void invalidFieldsAreTypedErrors() {
    assertKind(DecodeError.Kind.INVALID_FIELD, codec.decodeResult(
        "{\"workId\":\"a\",\"attempt\":1,\"status\":\"done\"}".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.INVALID_FIELD, codec.decodeResult(
        "{\"workId\":\"a\",\"attempt\":0,\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.INVALID_FIELD, codec.decodeResult(
        "{\"workId\":\"a\",\"attempt\":\"1\",\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.INVALID_FIELD, codec.decodeResult(
        "{\"workId\":\"\",\"attempt\":1,\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8)));
    assertKind(DecodeError.Kind.INVALID_FIELD, codec.decodeWork(
        ("{\"workId\":\"a\",\"queue\":\"q\",\"attempt\":1,\"data\":1,\"createdAt\":\"yesterday\","
            + "\"deadline\":\"2026-11-28T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void decodedFailureCarriesNoValue() {
    Decoded<JsonNode> d = codec.parse("nope".getBytes(StandardCharsets.UTF_8));
    assertFalse(d.isOk());
    assertNull(d.isOk() ? d.value() : null);
  }

  private static final String WORK_FIELDS = "\"workId\":\"a\",\"queue\":\"q\",\"attempt\":1,"
      + "\"createdAt\":\"2026-11-28T10:00:00Z\",\"deadline\":\"2026-11-28T10:00:30Z\"";

  private Decoded<WorkEnvelope> work(String json) {
    return codec.decodeWork(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fieldsMayComeInAnyOrder() {
    WorkEnvelope w = sampleWork();
    String reordered = "{\"deadline\":\"" + w.deadline() + "\",\"data\":" + w.data() + ",\"timeoutSeconds\":30,"
        + "\"queue\":\"default\",\"maxAttempts\":3,\"createdAt\":\"" + w.createdAt()
        + "\",\"attempt\":1,\"workId\":\"w-1\",\"schema\":\"gowork.work/v1\"}";
    assertEquals(w, work(reordered).value());
    String event = "{\"attempt\":2,\"time\":\"2026-11-28T10:00:00.123Z\",\"type\":\"work_complete\",\"id\":\"e\","
        + "\"schema\":\"gowork.event/v1\"}";
    assertEquals(new Event("e", EventType.WORK_COMPLETE, T0, null, null, null, 2, null, null),
        codec.decodeEvent(event.getBytes(StandardCharsets.UTF_8)).value());
  }

  @Test
  void unknownFieldsAreIgnoredButMustBeValidJson() {
    assertTrue(work("{\"extra\":{\"deep\":[1,{\"x\":null}]},\"data\":1," + WORK_FIELDS + ",\"more\":\"x\"}").isOk());
    assertKind(DecodeError.Kind.MALFORMED_JSON, work("{\"extra\":{\"a\":1,\"a\":2},\"data\":1," + WORK_FIELDS + "}"));
    assertKind(DecodeError.Kind.MALFORMED_JSON, work("{\"extra\":[1,],\"data\":1," + WORK_FIELDS + "}"));
  }

  @Test
  void aDuplicateFieldIsMalformedAnywhere() {
    Decoded<WorkEnvelope> top = work("{\"data\":1," + WORK_FIELDS + ",\"queue\":\"r\"}");
    assertKind(DecodeError.Kind.MALFORMED_JSON, top);
    assertTrue(top.error().message().contains("Duplicate field 'queue'"), top.error().message());
    assertKind(DecodeError.Kind.MALFORMED_JSON, work("{\"data\":{\"k\":1,\"k\":1}," + WORK_FIELDS + "}"));
  }

  @Test
  void trailingTokensOrGarbageAreMalformed() {
    String ok = "{\"data\":1," + WORK_FIELDS + "}";
    assertTrue(work(ok + " \n").isOk());
    for (String tail : List.of("{}", "1", "x", "]", "}", "null", ",")) {
      Decoded<WorkEnvelope> d = work(ok + tail);
      assertKind(DecodeError.Kind.MALFORMED_JSON, d);
      assertTrue(d.error().message().startsWith("malformed JSON: "), d.error().message());
    }
    assertEquals("malformed JSON: more data after the JSON value", work(ok + "{}").error().message());
  }

  @Test
  void aSendersValueIsQuotedShortInAnError() {
    String status = "x".repeat(100_000);
    String m = WireCodec.defaults().decodeResult(("{\"workId\":\"w\",\"attempt\":1,\"status\":\"" + status
        + "\",\"result\":null,\"error\":null}").getBytes(StandardCharsets.UTF_8)).error().message();
    assertTrue(m.length() < 200 && m.endsWith("… (100000 chars)'"), m);
  }

  @Test
  void parseErrorsSayWhereAndNameNoParserInternals() {
    String cut = work("{\"data\":1,").error().message();
    assertTrue(cut.startsWith("malformed JSON: Unexpected end-of-input") && cut.endsWith("(line 1, column 11)"), cut);
    StringBuilder deep = new StringBuilder();
    deep.append("[".repeat(2000)).append("]".repeat(2000));
    String tooDeep = WireCodec.defaults().parse(deep.toString().getBytes(StandardCharsets.UTF_8)).error().message();
    for (String m : List.of(cut, tooDeep)) {
      assertFalse(m.contains("Source:") || m.contains("StreamReadConstraints") || m.contains("`"), m);
    }
  }

  @Test
  void dataMayBeAnyJsonValueIncludingNull() {
    for (String data : List.of("null", "[]", "[1,\"x\",{}]", "0", "-7", "1.5", "12345678901234567890", "\"s\"",
        "false", "{\"n\":{\"m\":[null]}}")) {
      Decoded<WorkEnvelope> d = work("{\"data\":" + data + "," + WORK_FIELDS + "}");
      assertTrue(d.isOk(), data + ": " + d);
      assertEquals(codec.parse(data.getBytes(StandardCharsets.UTF_8)).value(), d.value().data(), data);
      assertEquals(d.value(), codec.decodeWork(codec.encode(d.value())).value(), data);
    }
  }

  @Test
  void mistypedFieldsNameTheFieldAndTheirType() {
    assertEquals("work field 'attempt' must be a non-negative integer",
        work("{\"data\":1," + WORK_FIELDS.replace("\"attempt\":1", "\"attempt\":1.0") + "}").error().message());
    assertEquals("work field 'attempt' must be a non-negative integer",
        work("{\"data\":1," + WORK_FIELDS.replace("\"attempt\":1", "\"attempt\":99999999999999999999") + "}")
            .error().message());
    assertEquals("work field 'attempt' is too large",
        work("{\"data\":1," + WORK_FIELDS.replace("\"attempt\":1", "\"attempt\":2147483648") + "}").error().message());
    assertEquals("work field 'queue' must be a string",
        work("{\"data\":1," + WORK_FIELDS.replace("\"queue\":\"q\"", "\"queue\":[\"q\"]") + "}").error().message());
    assertEquals("work is missing field 'queue'",
        work("{\"data\":1," + WORK_FIELDS.replace("\"queue\":\"q\"", "\"queue\":null") + "}").error().message());
    assertEquals("work field 'createdAt' must be an ISO-8601 UTC time such as 2026-11-28T10:00:00Z",
        work("{\"data\":1," + WORK_FIELDS.replace("10:00:00Z", "10:00:00") + "}").error().message());
    Decoded<WorkEnvelope> schema = work("{\"schema\":2,\"data\":1," + WORK_FIELDS + "}");
    assertKind(DecodeError.Kind.UNSUPPORTED_SCHEMA, schema);
    assertEquals("work schema '2' is not supported; expected 'gowork.work/v1'", schema.error().message());
    assertEquals("work must be a JSON object", work("[{}]").error().message());
    assertEquals("empty value: expected JSON", work(" ").error().message());
  }

  private static void assertKind(DecodeError.Kind kind, Decoded<?> d) {
    assertFalse(d.isOk(), "expected a failure, got " + d);
    assertEquals(kind, d.error().kind(), d.error().message());
  }
}
