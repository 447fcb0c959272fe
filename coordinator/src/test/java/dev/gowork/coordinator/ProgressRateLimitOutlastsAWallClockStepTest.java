package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Progress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An HTTP worker may report the progress of a work item once a second. That second is a duration, timed
 * on the monotonic source: it was timed from the work's {@code updatedAt} on the wall clock, so a step
 * back (NTP, a resumed VM) refused every report for the size of the step (an hour back: an hour of 429),
 * and a step forward let reports through at once. Real broker and server; the monotonic source moves
 * only when the test says.
 */
@ExtendWith(KafkaExtension.class)
class ProgressRateLimitOutlastsAWallClockStepTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  @Test
  void aStepBackDoesNotRefuseTheNextReport(TestKafka k) {
    Running r = reported(k);
    clock.step(Duration.ofHours(-1));
    clock.advance(INTERVAL);
    r.report(20); // refused (RATE_LIMITED) before the fix
  }

  @Test
  void aStepForwardDoesNotLetAReportThroughEarly(TestKafka k) {
    Running r = reported(k);
    clock.step(Duration.ofMinutes(1));
    GoWorkException refused = assertThrows(GoWorkException.class, () -> r.report(20),
        "no time passed on the monotonic source");
    assertEquals(ErrorCode.RATE_LIMITED, refused.code());
    clock.advance(INTERVAL);
    r.report(20);
  }

  /** Work handed out to an HTTP worker, which reported 10 % of it; the report is shown in its status. */
  private Running reported(TestKafka k) {
    start(k).start();
    Session s = handshake();
    Work work = server.createWork("x", 7200);
    server.add(work);
    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT,
        "the work handed out");
    Running r = new Running(s, got);
    r.report(10);
    Poll.until(() -> server.status(work.id()).orElseThrow().progress(), WAIT, "the report shown");
    return r;
  }

  private final class Running {
    private final Session session;
    private final WorkEnvelope work;

    Running(Session session, WorkEnvelope work) {
      this.session = session;
      this.work = work;
    }

    void report(int percent) {
      server.reportProgress(session.workerId(), session.sessionKey(), work.workId(), work.attempt(),
          new Progress(percent, null));
    }
  }
}
