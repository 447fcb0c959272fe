package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

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

  private static void assertKind(DecodeError.Kind kind, Decoded<?> d) {
    assertFalse(d.isOk(), "expected a failure, got " + d);
    assertEquals(kind, d.error().kind(), d.error().message());
  }
}
