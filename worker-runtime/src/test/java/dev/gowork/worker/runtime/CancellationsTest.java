package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.CancelNotice;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which cancelled ids a replica keeps: each until its deadline. */
class CancellationsTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

  private static CancelNotice notice(String id, long deadlineSeconds) {
    return new CancelNotice(id, "default", 1, NOW.plusSeconds(deadlineSeconds), NOW, null);
  }

  @Test
  void anIdIsKeptUntilItsDeadlineAndOneAlreadyPastIsNotKeptAtAll() {
    Cancellations c = new Cancellations();
    c.add(notice("soon", 10), NOW.toEpochMilli());
    c.add(notice("later", 100), NOW.toEpochMilli());
    c.add(notice("past", -1), NOW.toEpochMilli());
    assertTrue(c.contains("soon") && c.contains("later"));
    assertFalse(c.contains("past"), "expired work is not run anyway");
    assertFalse(c.contains("other"));
    assertEquals(1, c.forgetExpired(NOW.plusSeconds(10).toEpochMilli()));
    assertFalse(c.contains("soon"));
    assertTrue(c.contains("later"));
    assertEquals(1, c.size());
  }
}
