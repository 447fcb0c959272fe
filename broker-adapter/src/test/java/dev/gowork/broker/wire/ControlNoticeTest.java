package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The control topic's notices as JSON, as docs/protocol.md section 4 shows them. */
class ControlNoticeTest {
  private final WireCodec codec = WireCodec.defaults();

  @Test
  void aNoticeRoundTripsAndReadsAsDocumented() {
    CancelNotice n = new CancelNotice("w-1", "emails", 2, Instant.parse("2026-12-06T10:01:00Z"),
        Instant.parse("2026-12-06T10:00:00.250Z"), "duplicate");
    String json = new String(n.encode(codec), StandardCharsets.UTF_8);
    assertEquals("{\"schema\":\"gowork.cancel/v1\",\"workId\":\"w-1\",\"queue\":\"emails\",\"attempt\":2,"
        + "\"deadline\":\"2026-12-06T10:01:00.000Z\",\"cancelledAt\":\"2026-12-06T10:00:00.250Z\",\"reason\":\"duplicate\"}",
        json);
    assertEquals(n, CancelNotice.decode(codec, json.getBytes(StandardCharsets.UTF_8)).value());
    CancelNotice noReason = new CancelNotice("w-1", "emails", 1, n.deadline(), n.cancelledAt(), null);
    assertEquals(noReason, CancelNotice.decode(codec, noReason.encode(codec)).value());
  }

  @Test
  void eitherKindIsReadByItsSchemaAndAnUnknownOneIsNamedForSkipping() {
    RevokeNotice revoke = new RevokeNotice("w-1", Instant.parse("2026-12-06T10:00:00Z"));
    assertEquals("{\"schema\":\"gowork.revoke/v1\",\"workerId\":\"w-1\",\"revokedAt\":\"2026-12-06T10:00:00.000Z\"}",
        new String(revoke.encode(codec), StandardCharsets.UTF_8));
    assertEquals(revoke, ControlNotice.decode(codec, revoke.encode(codec)).value());
    CancelNotice cancel = new CancelNotice("w-2", "q", 1, Instant.EPOCH, Instant.EPOCH, null);
    assertEquals(cancel, ControlNotice.decode(codec, cancel.encode(codec)).value());
    Decoded<ControlNotice> future = ControlNotice.decode(codec,
        "{\"schema\":\"gowork.pause/v1\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(DecodeError.Kind.UNSUPPORTED_SCHEMA, future.error().kind());
    assertEquals("control notice schema 'gowork.pause/v1' is not supported; expected 'gowork.cancel/v1' or "
        + "'gowork.revoke/v1'", future.error().message());
  }

  @Test
  void aBadNoticeIsNamedNotThrown() {
    Decoded<CancelNotice> wrongSchema = CancelNotice.decode(codec,
        "{\"schema\":\"gowork.work/v1\",\"workId\":\"w\"}".getBytes(StandardCharsets.UTF_8));
    assertFalse(wrongSchema.isOk());
    assertEquals("cancel notice schema 'gowork.work/v1' is not supported; expected 'gowork.cancel/v1'",
        wrongSchema.error().message());
    Decoded<CancelNotice> noDeadline = CancelNotice.decode(codec, ("{\"schema\":\"gowork.cancel/v1\",\"workId\":\"w\","
        + "\"queue\":\"q\",\"attempt\":1,\"cancelledAt\":\"2026-12-06T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals("cancel notice is missing field 'deadline'", noDeadline.error().message());
    assertFalse(CancelNotice.decode(codec, "not json".getBytes(StandardCharsets.UTF_8)).isOk());
  }
}
