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
        "{\"schema\":\"gowork.future/v1\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(DecodeError.Kind.UNSUPPORTED_SCHEMA, future.error().kind());
    assertEquals("control notice schema 'gowork.future/v1' is not supported; expected 'gowork.cancel/v1', "
        + "'gowork.revoke/v1' or 'gowork.queue/v1'", future.error().message());
    QueueNotice pause = new QueueNotice("emails", true, Instant.parse("2026-12-07T01:00:00Z"), "smtp down");
    assertEquals("{\"schema\":\"gowork.queue/v1\",\"queue\":\"emails\",\"paused\":true,"
        + "\"changedAt\":\"2026-12-07T01:00:00.000Z\",\"reason\":\"smtp down\"}",
        new String(pause.encode(codec), StandardCharsets.UTF_8));
    assertEquals(pause, ControlNotice.decode(codec, pause.encode(codec)).value());
    QueueNotice resume = new QueueNotice("emails", false, Instant.EPOCH, null);
    assertEquals(resume, ControlNotice.decode(codec, resume.encode(codec)).value());
    assertEquals("queue notice field 'paused' must be true or false", ControlNotice.decode(codec,
        ("{\"schema\":\"gowork.queue/v1\",\"queue\":\"q\",\"paused\":\"yes\",\"changedAt\":"
            + "\"2026-12-07T01:00:00Z\"}").getBytes(StandardCharsets.UTF_8)).error().message());
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
