package dev.gowork.coordinator.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WorkStateCodecTest {
  private final WireCodec codec = WireCodec.defaults();
  private final WorkStateCodec records = new WorkStateCodec(codec);

  private WorkRecord record() {
    WorkRecord r = new WorkRecord("w1", "default", 1_000, 61_000, 60, 2, 3);
    r.state = WorkState.COMPLETED;
    r.updatedAt = 5_000;
    r.workerId = "w-00";
    r.partition = 2;
    r.offset = 42;
    r.outcome = codec.write(codec.mapper().valueToTree(java.util.Map.of("ok", true)));
    return r;
  }

  @Test
  void aRecordRoundTrips() {
    String[] problem = new String[1];
    WorkRecord back = records.decode("w1", records.encode(record()), problem);
    assertNull(problem[0]);
    assertEquals(WorkState.COMPLETED, back.state);
    assertEquals(2, back.attempt);
    assertEquals(3, back.maxAttempts);
    assertEquals(61_000, back.deadline);
    assertEquals(5_000, back.updatedAt);
    assertEquals("w-00", back.workerId);
    assertEquals(42, back.offset);
    assertEquals("{\"ok\":true}", new String((byte[]) back.outcome, StandardCharsets.UTF_8));
    assertTrue(!new String(records.encode(record()), StandardCharsets.UTF_8).contains("data"));
  }

  @Test
  void runningWorksProgressRoundTrips() {
    WorkRecord r = new WorkRecord("w1", "default", 1_000, 61_000, 60, 1, 1);
    r.state = WorkState.RUNNING;
    r.workerId = "w-00";
    r.progress = new Progress(40, "resizing \"b.png\"");
    String[] problem = new String[1];
    byte[] bytes = records.encode(r);
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains(
        "\"progress\":{\"percent\":40,\"message\":\"resizing \\\"b.png\\\"\"}"), new String(bytes, StandardCharsets.UTF_8));
    assertEquals(new Progress(40, "resizing \"b.png\""), records.decode("w1", bytes, problem).progress);
    r.progress = new Progress(7, null);
    assertEquals(new Progress(7, null), records.decode("w1", records.encode(r), problem).progress);
    assertNull(problem[0]);
  }

  @Test
  void theHandedOutMarkAndTheLastNoticeTimeRoundTripAndOlderRecordsReadWithout() {
    WorkRecord r = new WorkRecord("w1", "default", 1_000, 61_000, 60, 2, 3);
    r.state = WorkState.RUNNING;
    r.workerId = "w-00";
    r.handedOut = true;
    r.noticeAt = 7_000;
    String[] problem = new String[1];
    byte[] bytes = records.encode(r);
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\"handedOut\":true,\"noticeAt\":7000"),
        new String(bytes, StandardCharsets.UTF_8));
    WorkRecord back = records.decode("w1", bytes, problem);
    assertTrue(back.handedOut);
    assertEquals(7_000, back.noticeAt);
    String older = "{\"v\":1,\"workId\":\"w1\",\"queue\":\"default\",\"state\":\"running\",\"attempt\":2,"
        + "\"maxAttempts\":3,\"timeoutSeconds\":60,\"createdAt\":1000,\"updatedAt\":1000,\"deadline\":61000,"
        + "\"workerId\":\"w-00\",\"partition\":-1,\"offset\":-1}";
    WorkRecord old = records.decode("w1", older.getBytes(StandardCharsets.UTF_8), problem);
    assertFalse(old.handedOut);
    assertEquals(-1, old.noticeAt);
    assertNull(problem[0]);
  }

  @Test
  void scheduledWorksRunTimeAndParkedPayloadRoundTrip() {
    WorkRecord r = new WorkRecord("w1", "default", 1_000, 91_000, 60, 1, 1);
    r.state = WorkState.SCHEDULED;
    r.runAt = 31_000;
    r.parked = true;
    String[] problem = new String[1];
    byte[] bytes = records.encode(r);
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\"state\":\"scheduled\""));
    WorkRecord back = records.decode("w1", bytes, problem);
    assertEquals(WorkState.SCHEDULED, back.state);
    assertEquals(31_000, back.runAt);
    assertTrue(back.parked);
    WorkRecord plain = records.decode("w1", records.encode(new WorkRecord("w1", "default", 1_000, 61_000, 60, 1, 1)),
        problem);
    assertEquals(-1, plain.runAt);
    assertFalse(plain.parked);
    assertNull(problem[0]);
  }

  @Test
  void corruptRecordsAreRefusedWithAReason() {
    String[] problem = new String[1];
    assertNull(records.decode("w1", "{not json".getBytes(StandardCharsets.UTF_8), problem));
    assertTrue(problem[0] != null);
    assertNull(records.decode("w1", "{\"v\":9}".getBytes(StandardCharsets.UTF_8), problem));
    assertEquals("unsupported state record version 9", problem[0]);
    assertNull(records.decode("other", records.encode(record()), problem));
    assertTrue(problem[0].contains("does not match"), problem[0]);
    String bad = new String(records.encode(record()), StandardCharsets.UTF_8).replace("completed", "sleeping");
    assertNull(records.decode("w1", bad.getBytes(StandardCharsets.UTF_8), problem));
    assertTrue(problem[0].startsWith("invalid state record"), problem[0]);
  }
}
