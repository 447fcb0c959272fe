package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.signing.TimestampWindow;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.AuthSettings;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.forward.OwnerRequest;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.results.ResultPipeline;
import dev.gowork.coordinator.retry.Backoff;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A revocation reaches the owner of a results partition before any result written after it: the
 * notice that the revoking coordinator writes to each partition is not passed until the owner's mirror
 * of {@code <p>.sessions} shows the revocation, however far behind that mirror was. On hand-built
 * records, so that the mirror's lag is not left to timing (the Kafka round trip is in ResultAuthReviewTest).
 */
class RevocationNoticeTest {
  private static final byte[] OPERATOR_KEY = "operator-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final WireCodec codec = WireCodec.defaults();
  private final EventLog log = new EventLog();
  private final EventDispatcher events = new EventDispatcher(clock, log);
  private final WorkTable table = new WorkTable(events, codec);
  /** This coordinator's mirror of the sessions: it has not read the revocation yet. */
  private final WorkerRegistry workers = new WorkerRegistry(ServerFixture.SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());
  private final ResultPipeline pipeline = new ResultPipeline(codec, workers, table, new RetryPlan(),
      Backoff.defaults(), TimestampWindow.defaults(), events, clock, 1000);
  private final OwnerRequests requests = new OwnerRequests(null, "p.results", OPERATOR_KEY,
      TimestampWindow.defaults(), events, clock, "p.coordinator-a");
  private long offset;

  @AfterEach
  void tearDown() {
    events.close();
  }

  @Test
  void aResultAfterTheRevocationNoticeIsJudgedWithTheRevocationEvenWhenTheMirrorWasBehind() {
    ForwardToOwner owner = new ForwardToOwner(requests, table, workers, new TimeoutTracker(), new RetryPlan(),
        Ownership.everything(), clock, Duration.ofSeconds(1));
    pipeline.forwardedRequests(requests, owner);
    Registration reg = workers.register();
    Session s = workers.verify(reg.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(),
        reg.challenge()));
    AtomicInteger catchUps = new AtomicInteger();
    // Catching up reads what was committed before: the revocation, committed before its notice was sent.
    pipeline.catchUpWith(() -> {
      if (catchUps.incrementAndGet() == 1) {
        workers.revokeWithoutWaiting(s.workerId());
      }
      return true;
    });
    Instant now = clock.instant();
    table.queued(new WorkEnvelope("w", "default", 1, 1, 60, TextNode.valueOf("d"), now, now.plusSeconds(60)),
        now.toEpochMilli());

    assertTrue(pipeline.accept(consumerRecord(requests.record(OwnerRequest.revoked(s.workerId()), 0))).isEmpty(),
        "the notice is passed once the revocation is mirrored");
    ResultEnvelope done = new ResultEnvelope("w", 1, ResultStatus.COMPLETED, null, null, null, 5);
    pipeline.accept(consumerRecord(SignedResult.sign(codec, done, s.workerId(), s.sessionKey(), clock)
        .toRecord("p.results")));
    events.close(); // delivers the events fired so far
    assertEquals(List.of("unknown or expired session"), log.of(EventType.RESULT_REJECTED, "w").stream()
        .map(Event::error).toList());
    assertEquals(WorkState.QUEUED, table.status("w").orElseThrow().state());
  }

  /**
   * A notice for a worker this coordinator does not know even once caught up (revoked again after the
   * others forgot it, an hour after its session ended) is passed, not held: held, it stopped each
   * results partition for the 30 s an unknown item may wait ({@code NOT_KNOWN} is that hold).
   */
  @Test
  void aNoticeForAWorkerForgottenHereDoesNotHoldThePartition() {
    ForwardToOwner owner = new ForwardToOwner(requests, table, workers, new TimeoutTracker(), new RetryPlan(),
        Ownership.everything(), clock, Duration.ofSeconds(1));
    pipeline.forwardedRequests(requests, owner);
    AtomicInteger catchUps = new AtomicInteger();
    pipeline.catchUpWith(() -> {
      catchUps.incrementAndGet();
      return true;
    });

    assertTrue(pipeline.accept(consumerRecord(requests.record(OwnerRequest.revoked("w-0123456789abcdef-forgotten"), 0)))
        .isEmpty(), "the notice is passed once caught up");
    assertEquals(1, catchUps.get(), "caught up first");
    pipeline.catchUpWith(() -> false);
    assertEquals(ResultPipeline.NOT_KNOWN, pipeline.accept(consumerRecord(requests.record(
        OwnerRequest.revoked("w-0123456789abcdef-forgotten"), 0))).orElseThrow(), "held while not caught up");
  }

  private ConsumerRecord<String, byte[]> consumerRecord(ProducerRecord<String, byte[]> p) {
    ConsumerRecord<String, byte[]> c = new ConsumerRecord<>("p.results", 0, offset++, p.key(), p.value());
    p.headers().forEach(h -> c.headers().add(h));
    return c;
  }
}
