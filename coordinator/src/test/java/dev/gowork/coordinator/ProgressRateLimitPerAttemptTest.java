package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Progress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An HTTP worker may report the progress of an attempt once a second. The limit was kept by work id
 * alone, so the first report of a new attempt within a second of the previous attempt's last one was
 * refused (429). Real broker and server; the monotonic source never moves here (the retry's backoff is
 * on the wall clock), so every report below comes "at once" after the one before.
 */
@ExtendWith(KafkaExtension.class)
class ProgressRateLimitPerAttemptTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void theFirstReportOfANewAttemptPassesRightAfterThePreviousAttemptsLast(TestKafka k) {
    start(k).start();
    Session s = handshake();
    Work work = server.createWork("x", 7200).withMaxAttempts(2);
    server.add(work);
    WorkEnvelope first = handedOut(s, 1);
    report(s, first, 10);
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> report(s, first, 20)).code(),
        "the same attempt again at once");
    server.submit(s.workerId(), s.sessionKey(), new ResultEnvelope(work.id(), 1, ResultStatus.FAILED, null,
        "failed (test)", null, 3));
    log.await(EventType.WORK_FAILED, work.id());
    clock.step(Duration.ofSeconds(1)); // past the retry's backoff (at most 0.2 s), on the wall clock only

    WorkEnvelope second = handedOut(s, 2);
    report(s, second, 30); // refused (RATE_LIMITED) before the fix
    Poll.until(() -> {
      Progress p = server.status(work.id()).orElseThrow().progress();
      return p != null && p.percent() == 30 ? p : null;
    }, WAIT, "the new attempt's report shown");
  }

  @Test
  void attemptNumbersPastTheItemsMaxAttemptsShareOneLimit(TestKafka k) {
    start(k).start();
    Session s = handshake();
    Work work = server.createWork("x", 7200).withMaxAttempts(2);
    server.add(work);
    WorkEnvelope first = handedOut(s, 1);
    report(s, first, 10);
    reportAs(s, work.id(), 2, 20); // the next attempt's own limit (its record may not have reached here yet)
    // A worker naming ever higher attempts would otherwise get one more report a second per number.
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> reportAs(s, work.id(), 3, 30))
        .code(), "attempt 3 of 2");
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> reportAs(s, work.id(), 999, 40))
        .code(), "attempt 999 of 2");
  }

  @Test
  void attemptNumbersBelowOneShareTheFirstAttemptsLimit(TestKafka k) {
    start(k).start();
    Session s = handshake();
    Work work = server.createWork("x", 7200).withMaxAttempts(2);
    server.add(work);
    WorkEnvelope first = handedOut(s, 1);
    report(s, first, 10);
    // WorkServer.reportProgress is public: a library caller may pass on whatever attempt a worker names.
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> reportAs(s, work.id(), 0, 20))
        .code(), "attempt 0");
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> reportAs(s, work.id(), -7, 30))
        .code(), "attempt -7");
  }

  private WorkEnvelope handedOut(Session s, int attempt) {
    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT,
        "attempt " + attempt + " handed out");
    assertEquals(attempt, got.attempt());
    return got;
  }

  private void report(Session s, WorkEnvelope work, int percent) {
    reportAs(s, work.workId(), work.attempt(), percent);
  }

  private void reportAs(Session s, String workId, int attempt, int percent) {
    server.reportProgress(s.workerId(), s.sessionKey(), workId, attempt, new Progress(percent, null));
  }
}
