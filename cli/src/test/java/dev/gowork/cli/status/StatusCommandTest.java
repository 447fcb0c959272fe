package dev.gowork.cli.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.TestCertificate;
import dev.gowork.cli.Console;
import dev.gowork.cli.http.StubCoordinator;
import dev.gowork.cli.http.StubCoordinator.Answer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
  private final StubCoordinator stub = new StubCoordinator()
      .on("GET", "/v1/work/abc", r -> new Answer(200, "{\"workId\":\"abc\",\"queue\":\"default\",\"state\":\"completed\","
          + "\"attempts\":1,\"maxAttempts\":3,\"result\":{\"ok\":true},\"error\":null,\"workerId\":\"w-1\","
          + "\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-01T00:00:01Z\",\"deadline\":\"2026-01-01T00:01:00Z\"}"))
      .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{\"default\":{\"queued\":5,\"running\":2},"
          + "\"images\":{\"queued\":0,\"running\":0}}}"))
      .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[{\"workerId\":\"w-1\",\"lastSeen\":\"t1\"},"
          + "{\"workerId\":\"w-22\",\"lastSeen\":\"t2\",\"queue\":\"images\"}]}"));
  private final Map<String, String> env = Map.of("GOWORK_COORDINATOR_URL", stub.url());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void anHttpsCoordinatorIsTrustedThroughTheCaFileAndOtherwiseNamed(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123");
    StubCoordinator https = new StubCoordinator(cert.server())
        .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{}}"))
        .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[]}"));
    try {
      Console trusting = new Console(Map.of("GOWORK_COORDINATOR_URL", https.url(), "GOWORK_COORDINATOR_CA_FILE",
          cert.certificate().toString()));
      assertEquals(0, trusting.run("status", "--json"), trusting.err());
      assertTrue(trusting.out().startsWith("{\"queues\""), trusting.out());

      Console untrusting = new Console(Map.of("GOWORK_COORDINATOR_URL", https.url()));
      assertEquals(1, untrusting.run("status"), untrusting.out());
      assertTrue(untrusting.err().contains("TLS handshake") && untrusting.err().contains("GOWORK_COORDINATOR_CA_FILE")
          && untrusting.err().contains("not signed by a certificate this client trusts")
          && !untrusting.err().contains("Exception"), untrusting.err());

      Console badFile = new Console(Map.of("GOWORK_COORDINATOR_URL", https.url(), "GOWORK_COORDINATOR_CA_FILE",
          dir.resolve("nope.pem").toString()));
      assertEquals(2, badFile.run("status"));
      assertTrue(badFile.err().contains("GOWORK_COORDINATOR_CA_FILE names no readable file"), badFile.err());
    } finally {
      https.close();
    }
  }

  @Test
  void oneWorkIsShownFieldByField() {
    Console c = new Console(env);
    assertEquals(0, c.run("status", "abc"), c.err());
    assertTrue(c.out().contains("state      completed\n"), c.out());
    assertTrue(c.out().contains("attempts   1 of 3\n"), c.out());
    assertTrue(c.out().contains("result     {\"ok\":true}\n"), c.out());
    assertTrue(c.out().contains("error      -\n"), c.out());
  }

  @Test
  void scheduledWorkShowsThatNoAttemptHasRunYet() {
    String scheduled = "{\"workId\":\"later\",\"queue\":\"default\",\"state\":\"scheduled\",\"attempts\":1,"
        + "\"maxAttempts\":2,\"runAt\":\"2026-01-01T01:00:00.000Z\"}";
    String text = StatusView.work(dev.gowork.broker.wire.WireCodec.defaults().parse(
        scheduled.getBytes(java.nio.charset.StandardCharsets.UTF_8)).value());
    assertTrue(text.contains("attempts   0 of 2\n"), text);
    assertTrue(text.contains("runAt      2026-01-01T01:00:00.000Z\n"), text);
  }

  /**
   * A work's error is whatever its handler threw, and its progress message what the worker wrote: an escape
   * sequence (ESC, a C1 CSI) or a right-to-left override in them reached the terminal as they were.
   */
  @Test
  void escapeSequencesInAWorksErrorOrProgressAreShownEscaped() {
    String failed = "{\"workId\":\"w\",\"state\":\"failed\",\"progress\":{\"percent\":5,\"message\":\"a\\u009b2J\"},"
        + "\"error\":\"red\\u001b[31m rlo\\u202eevil\"}";
    String text = StatusView.work(dev.gowork.broker.wire.WireCodec.defaults().parse(
        failed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).value());
    assertTrue(text.contains("error      red\\u001b[31m rlo\\u202eevil\n"), text);
    assertTrue(text.contains("progress   5% a\\u009b2J\n"), text);
  }

  /**
   * A status names its worker by the name it registered with, under the opaque id, when the coordinator
   * knows it; the name is the worker's own choice, so what a terminal would act on in it is escaped.
   */
  @Test
  void theWorkersNameIsShownUnderItsIdEscapedAndLeftOutWhenUnknown() {
    try (StubCoordinator named = new StubCoordinator().on("GET", "/v1/work/named", r -> new Answer(200,
        "{\"workId\":\"named\",\"state\":\"running\",\"workerId\":\"w-5d1c\","
            + "\"workerName\":\"box-7\\u001b[2J\\u202e\"}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", named.url()));
      assertEquals(0, c.run("status", "named"), c.err());
      assertTrue(c.out().contains("workerId   w-5d1c\nworkerName box-7\\u001b[2J\\u202e\n"), c.out());
    }
    Console c = new Console(env);
    assertEquals(0, c.run("status", "abc"), c.err());
    assertTrue(c.out().contains("workerId   w-1\n") && !c.out().contains("workerName"), c.out());
  }

  @Test
  void waitingLongPollsUntilTheWorkEndsAndTheExitCodeSaysWhetherItCompleted() {
    java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
    StubCoordinator slow = new StubCoordinator().on("GET", "/v1/work/slow", r -> new Answer(200,
        "{\"workId\":\"slow\",\"queue\":\"default\",\"state\":\"" + (polls.incrementAndGet() < 3 ? "running" : "failed")
            + "\",\"attempts\":1,\"maxAttempts\":1,\"error\":\"boom\"}"));
    try {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", slow.url()));
      assertEquals(1, c.run("status", "--wait", "120", "--json", "slow"), c.err());
      assertTrue(c.out().contains("\"state\":\"failed\""), c.out());
      assertEquals(3, polls.get(), "asked again while it ran");
      assertTrue(c.err().contains("gowork: 1 of 1 item did not complete {failed: 1}\n"), c.err());
      assertTrue(slow.requests().stream().allMatch(r -> "wait=30".equals(r.query())), slow.requests().toString());
    } finally {
      slow.close();
    }
    StubCoordinator stuck = new StubCoordinator().on("GET", "/v1/work/stuck", r -> new Answer(200,
        "{\"workId\":\"stuck\",\"queue\":\"default\",\"state\":\"queued\",\"attempts\":0,\"maxAttempts\":1}"));
    try {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", stuck.url()));
      assertEquals(1, c.run("status", "--wait", "1", "stuck"), c.err());
      assertTrue(c.err().contains("did not complete {queued: 1}; the wait ended before the unfinished ones"), c.err());
    } finally {
      stuck.close();
    }
    Console done = new Console(env);
    assertEquals(0, done.run("status", "--wait", "5", "abc"), done.err());
    assertEquals("", done.err());
    assertEquals("wait=5", stub.requests().get(0).query(), "never longer than asked");
    assertEquals(2, new Console(env).run("status", "--wait", "0", "abc"));
  }

  @Test
  void waitWithoutWorkIdsIsAUsageErrorNotIgnored() {
    Console c = new Console(env);
    assertEquals(2, c.run("status", "--wait", "5"), c.err());
    assertTrue(c.err().contains("--wait needs work ids"), c.err());
  }

  @Test
  void withoutIdsTheQueuesAndWorkersAreTables() {
    Console c = new Console(env);
    assertEquals(0, c.run("status"), c.err());
    assertEquals("""
        QUEUE    QUEUED  RUNNING
        default  5       2
        images   0       0

        WORKERID  LASTSEEN  QUEUE
        w-1       t1        -
        w-22      t2        images
        """, c.out());
  }

  @Test
  void aPausedQueueShowsWithItsReason() {
    try (StubCoordinator paused = new StubCoordinator()
        .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{\"default\":{\"queued\":1,"
            + "\"running\":0,\"paused\":false},\"emails\":{\"queued\":7,\"running\":0,\"paused\":true,"
            + "\"pausedAt\":\"t\",\"pauseReason\":\"smtp down\"}}}"))
        .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[]}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", paused.url()));
      assertEquals(0, c.run("status"), c.err());
      assertTrue(c.out().startsWith("""
          QUEUE    QUEUED  RUNNING  PAUSED
          default  1       0        -
          emails   7       0        yes: smtp down
          """), c.out());
    }
  }

  /** A queue's latency (how long its oldest waiting work has waited) shows as LATENCY, readably, not as a count. */
  @Test
  void aQueuesLatencyShowsReadablyAfterTheCountsAndBeforePausedAndMembers() {
    try (StubCoordinator waiting = new StubCoordinator()
        .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{"
            + "\"default\":{\"queued\":0,\"running\":2,\"size\":2,\"latencyMs\":0,\"paused\":false,"
            + "\"shareGroup\":{\"name\":\"gowork.workers.default\",\"members\":2,\"maxMembers\":200,\"full\":false}},"
            + "\"emails\":{\"queued\":7,\"running\":0,\"size\":7,\"latencyMs\":2150,\"paused\":true,"
            + "\"pauseReason\":\"smtp down\",\"shareGroup\":{\"name\":\"gowork.workers.emails\",\"members\":0,"
            + "\"maxMembers\":200,\"full\":false}},"
            + "\"images\":{\"queued\":40,\"running\":0,\"size\":40,\"latencyMs\":299999,\"paused\":false,"
            + "\"shareGroup\":{\"name\":\"gowork.workers.images\",\"members\":0,\"maxMembers\":200,\"full\":false}}}}"))
        .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[]}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", waiting.url()));
      assertEquals(0, c.run("status"), c.err());
      assertTrue(c.out().startsWith("""
          QUEUE    QUEUED  RUNNING  SIZE  LATENCY  PAUSED          MEMBERS
          default  0       2        2     0 s      -               2/200
          emails   7       0        7     2.1 s    yes: smtp down  0/200
          images   40      0        40    4 min    -               0/200
          """), c.out());
    }
    assertEquals(List.of("0 s", "0.0 s", "9.9 s", "10 s", "59 s", "1 min", "59 min", "1 h", "47 h", "2 d"),
        java.util.stream.LongStream.of(0, 99, 9_999, 10_000, 59_999, 60_000, 3_599_999, 3_600_000, 172_799_999,
            172_800_000).mapToObj(StatusView::waited).toList());
  }

  @Test
  void aQueuesShareGroupShowsItsMembersAgainstTheLimitAndAFullOneIsSaidSo() {
    String full = "full: workers that join now get no work; lower GOWORK_CONCURRENCY of the replicas or raise"
        + " group.share.max.size on the brokers";
    try (StubCoordinator groups = new StubCoordinator()
        .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{\"default\":{\"queued\":1,\"running\":0,"
            + "\"shareGroup\":{\"name\":\"gowork.workers.default\",\"members\":2,\"maxMembers\":2,\"full\":true,"
            + "\"checkedAt\":\"t\",\"warning\":\"" + full + "\"}},"
            + "\"emails\":{\"queued\":7,\"running\":0,\"shareGroup\":{\"name\":\"gowork.workers.emails\","
            + "\"members\":3,\"maxMembers\":null,\"full\":false,\"checkedAt\":\"t\"}},"
            + "\"new\":{\"queued\":1,\"running\":0,\"shareGroup\":{\"name\":\"gowork.workers.new\","
            + "\"members\":null,\"maxMembers\":null,\"full\":false,\"checkedAt\":null}}}}"))
        .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[]}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", groups.url()));
      assertEquals(0, c.run("status"), c.err());
      assertTrue(c.out().startsWith("""
          QUEUE    QUEUED  RUNNING  MEMBERS
          default  1       0        2/2 full
          emails   7       0        3/unknown
          new      1       0        -
          """ + "queue default: share group gowork.workers.default has 2 of 2 members; " + full + "\n"), c.out());
    }
  }

  /**
   * The line under the table naming a full share group printed the coordinator's text as it came, where
   * every table cell is escaped: an escape sequence in its name or warning reached the terminal.
   */
  @Test
  void aFullGroupsLineIsShownEscapedAsTheTableIs() {
    try (StubCoordinator groups = new StubCoordinator()
        .on("GET", "/v1/queues", r -> new Answer(200, "{\"queues\":{\"q\\u001b[2J\":{\"queued\":0,\"running\":0,"
            + "\"shareGroup\":{\"name\":\"g\\u009b2J\",\"members\":2,\"maxMembers\":2,\"full\":true,"
            + "\"checkedAt\":\"t\",\"warning\":\"full\\u001b[31m\\u202e\"}}}}"))
        .on("GET", "/v1/workers", r -> new Answer(200, "{\"workers\":[]}"))) {
      Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", groups.url()));
      assertEquals(0, c.run("status"), c.err());
      assertTrue(c.out().contains("queue q\\u001b[2J: share group g\\u009b2J has 2 of 2 members; "
          + "full\\u001b[31m\\u202e\n"), c.out());
      assertTrue(c.out().chars().noneMatch(ch -> ch == 0x1b || ch == 0x9b || ch == 0x202e), c.out());
    }
  }

  @Test
  void jsonIsTheCoordinatorsAnswer() {
    Console c = new Console(env);
    assertEquals(0, c.run("status", "--json"), c.err());
    assertTrue(c.out().startsWith("{\"queues\":{\"default\":{\"queued\":5"), c.out());
  }

  @Test
  void anUnknownWorkIsAFailureWithTheCoordinatorsWords() {
    Console c = new Console(env);
    assertEquals(1, c.run("status", "nope"));
    assertTrue(c.err().contains("GET /v1/work/nope answered 404: no route (not_found)"), c.err());
  }

  @Test
  void anUnknownIdAmongSeveralDoesNotHideTheOthers() {
    Console c = new Console(env);
    assertEquals(1, c.run("status", "nope", "abc"));
    assertTrue(c.err().contains("GET /v1/work/nope answered 404"), c.err());
    assertTrue(c.out().contains("abc"), c.out());
  }

  @Test
  void anOverLongIdAmongSeveralIsRefusedBeforeAnyRequestAndNotEchoed() {
    Console c = new Console(env);
    String id = "x".repeat(201);
    assertEquals(2, c.run("status", "abc", id));
    assertTrue(c.err().contains("work id must be 1 to 200 characters; was 201 ('xxxxxxxxxxxxxxxxxxxxxxxx…')"), c.err());
    assertTrue(!c.err().contains(id) && c.out().isEmpty(), c.err());
  }

  @Test
  void unauthenticatedSaysWhichSettingIsMissing() {
    stub.on("GET", "/v1/queues", r -> new Answer(401, "{\"error\":\"missing token\",\"code\":\"unauthenticated\"}"));
    Console c = new Console(env);
    assertEquals(1, c.run("status"));
    assertTrue(c.err().contains("set GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE"), c.err());
  }
}
