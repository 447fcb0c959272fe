package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The session record on {@code <p>.sessions}: the worker's name is an optional addition to version 1. */
class SessionRecordsTest {
  private static final String BEFORE_NAMES = "{\"v\":1,\"workerId\":\"w-1\",\"nonce\":\"n0nce\",\"expiresAt\":5000,"
      + "\"registeredAt\":1000,\"state\":\"active\"";

  @Test
  void aRecordWrittenBeforeNamesStillReadsAsAWorkerWithoutAName() {
    SessionRecords.Stored s = decode(BEFORE_NAMES + "}");
    assertNotNull(s);
    assertEquals("n0nce", s.nonce());
    assertNull(s.name());
  }

  @Test
  void theNameIsWrittenAndReadBack() {
    WorkerEntry e = new WorkerEntry("w-1", "box-1", null, 1000, 0, new TokenBucket(1, java.time.Duration.ofSeconds(1), 0));
    e.nonce = "n0nce";
    e.sessionExpiresAt = 5000;
    e.state = WorkerState.ACTIVE;
    String[] problem = new String[1];
    SessionRecords.Stored s = SessionRecords.decode("w-1", SessionRecords.encode(e), problem);
    assertNotNull(s, problem[0]);
    assertEquals("box-1", s.name());
  }

  @Test
  void aNameThatIsNotAValidNameIsDroppedButTheSessionIsKept() {
    for (String name : new String[] {"5", "\"\"", "\"a\\u0000b\"", "\"" + "n".repeat(101) + "\"", "{}"}) {
      SessionRecords.Stored s = decode(BEFORE_NAMES + ",\"name\":" + name + "}");
      assertNotNull(s, name);
      assertNull(s.name(), name);
    }
  }

  private static SessionRecords.Stored decode(String json) {
    String[] problem = new String[1];
    SessionRecords.Stored s = SessionRecords.decode("w-1", json.getBytes(StandardCharsets.UTF_8), problem);
    assertNull(problem[0]);
    return s;
  }
}
