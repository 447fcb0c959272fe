package dev.gowork.coordinator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.signing.SharedSecret;
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
import dev.gowork.coordinator.retry.Backoff;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.Progress;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The result checks on hand-built records (the Kafka round trip is covered by WorkServerFlowTest). */
class ResultPipelineTest {
  private static final SharedSecret SECRET = SharedSecret.of("0123456789abcdef0123456789abcdef");
  private static final byte[] OPERATOR_KEY = "operator-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final WireCodec codec = WireCodec.defaults();
  private final EventLog log = new EventLog();
  private final EventDispatcher events = new EventDispatcher(clock, log);
  private final WorkTable table = new WorkTable(events, codec);
  private final WorkerRegistry workers = new WorkerRegistry(SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());
  private final RetryPlan retries = new RetryPlan();
  private final ResultPipeline pipeline = new ResultPipeline(codec, workers, table, retries, Backoff.defaults(),
      TimestampWindow.defaults(), events, clock, 1000);
  private Session session;
  private long offset;

  @BeforeEach
  void setUp() {
    Registration r = workers.register();
    session = workers.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private void add(String id, int maxAttempts) {
    Instant now = clock.instant();
    table.queued(new WorkEnvelope(id, "default", 1, maxAttempts, 60, TextNode.valueOf("d"), now,
        now.plusSeconds(60)), now.toEpochMilli());
  }

  private ConsumerRecord<String, byte[]> record(ResultEnvelope r, String sessionKey) {
    return consumerRecord(SignedResult.sign(codec, r, session.workerId(), sessionKey, clock).toRecord("p.results"));
  }

  private ConsumerRecord<String, byte[]> consumerRecord(ProducerRecord<String, byte[]> p) {
    ConsumerRecord<String, byte[]> c = new ConsumerRecord<>(p.topic(), 0, offset++, p.key(), p.value());
    p.headers().forEach(h -> c.headers().add(h));
    return c;
  }

  private static ResultEnvelope completed(String id, int attempt) {
    return new ResultEnvelope(id, attempt, ResultStatus.COMPLETED, TextNode.valueOf("ok"), null, null, 3);
  }

  private List<Event> rejections() {
    events.close();
    return log.of(EventType.RESULT_REJECTED);
  }

  private void assertRejectedWithoutChange(String id, String reason) {
    List<Event> r = rejections();
    assertEquals(1, r.size(), r.toString());
    assertEquals(reason, r.get(0).error());
    assertEquals(id, r.get(0).workId());
    assertEquals(WorkState.QUEUED, table.status(id).orElseThrow().state());
  }

  @Test
  void aProperlySignedResultCompletesTheWork() {
    add("a", 1);
    assertTrue(pipeline.accept(record(completed("a", 1), session.sessionKey())).orElseThrow().accepted());
    assertEquals(WorkState.COMPLETED, table.status("a").orElseThrow().state());
    assertEquals(session.workerId(), table.status("a").orElseThrow().workerId());
  }

  @Test
  void aForgedSignatureIsRejected() {
    add("a", 1);
    pipeline.accept(record(completed("a", 1), Signatures.randomToken()));
    assertRejectedWithoutChange("a", "bad signature");
  }

  @Test
  void aTamperedValueIsRejected() {
    add("a", 1);
    ProducerRecord<String, byte[]> p = SignedResult.sign(codec, completed("a", 1), session.workerId(),
        session.sessionKey(), clock).toRecord("p.results");
    byte[] tampered = new String(p.value(), StandardCharsets.UTF_8).replace("\"ok\"", "\"ko\"")
        .getBytes(StandardCharsets.UTF_8);
    ProducerRecord<String, byte[]> forged = new ProducerRecord<>(p.topic(), null, p.key(), tampered, p.headers());
    pipeline.accept(consumerRecord(forged));
    assertRejectedWithoutChange("a", "bad signature");
  }

  @Test
  void anExpiredSessionIsRejected() {
    clock.advance(Duration.ofHours(1));
    add("a", 1);
    pipeline.accept(record(completed("a", 1), session.sessionKey()));
    assertRejectedWithoutChange("a", "unknown or expired session");
  }

  @Test
  void aReplayedResultIsRejected() {
    add("a", 2);
    ConsumerRecord<String, byte[]> failed = record(new ResultEnvelope("a", 1, ResultStatus.FAILED, null, "boom", null,
        1), session.sessionKey());
    assertTrue(pipeline.accept(failed).orElseThrow().retry());
    assertEquals(1, retries.size());
    pipeline.accept(failed);
    List<Event> r = rejections();
    assertEquals(1, r.size());
    assertEquals("replayed result for attempt 1", r.get(0).error());
    assertEquals(WorkState.RETRY_WAIT, table.status("a").orElseThrow().state());
    assertEquals(1, retries.size());
  }

  /**
   * A caller's own work id may be added again once its finished item was forgotten (after the finished
   * work's retention): that is new work, and its first result completes it. It was refused as a "replayed
   * result for attempt 1", so the new item waited for its deadline.
   */
  @Test
  void aWorkIdAddedAgainAfterItsItemWasForgottenTakesItsFirstResult() {
    add("order-7", 1);
    assertTrue(pipeline.accept(record(completed("order-7", 1), session.sessionKey())).orElseThrow().accepted());
    clock.advance(java.time.Duration.ofHours(2));
    table.forgetFinishedBefore(clock.millis());
    assertTrue(table.status("order-7").isEmpty(), "forgotten");
    Registration again = workers.register();
    session = workers.verify(again.workerId(), Signatures.verifyResponse(SECRET, again.workerId(), again.challenge()));

    add("order-7", 1);
    assertTrue(pipeline.accept(record(completed("order-7", 1), session.sessionKey())).orElseThrow().accepted());
    assertEquals(WorkState.COMPLETED, table.status("order-7").orElseThrow().state());
    assertEquals(List.of(), rejections());
  }

  /**
   * The results loop went back behind records it decided (the group dropped this coordinator and it
   * rejoined at the last committed offset, or its member epoch went stale): the same record read again
   * is no replay, and its first reading was reported already (or accepted), so nothing is reported.
   */
  @Test
  void aRecordReadAgainThatThisCoordinatorDecidedIsNotReportedAsAReplay() {
    add("a", 2);
    ConsumerRecord<String, byte[]> failed = record(new ResultEnvelope("a", 1, ResultStatus.FAILED, null, "boom", null,
        1), session.sessionKey());
    ConsumerRecord<String, byte[]> forged = record(completed("a", 1), Signatures.randomToken());
    assertTrue(pipeline.accept(failed).orElseThrow().retry());
    assertEquals("bad signature", pipeline.accept(forged).orElseThrow().rejection());

    assertEquals("replayed result for attempt 1",
        pipeline.accept(failed, ReadAgain.Kind.DECIDED_HERE).orElseThrow().rejection());
    assertEquals("bad signature", pipeline.accept(forged, ReadAgain.Kind.DECIDED_HERE).orElseThrow().rejection());
    assertEquals(List.of("bad signature"), rejections().stream().map(Event::error).toList(),
        "only the first reading of the forged record");
    assertEquals(WorkState.RETRY_WAIT, table.status("a").orElseThrow().state());
    assertEquals(1, retries.size());
  }

  /**
   * After an unstick (UnstableOffsets), a restarted coordinator reads again results that the one before
   * it applied: their work is finished. The refusal is reported, saying it is a reading again; a result
   * that fails authentication there is reported as any other.
   */
  @Test
  void aResultReadAgainAfterAnUnstickIsRefusedSayingSoAndAForgedOneIsReportedAsAnyOther() {
    add("a", 1);
    ConsumerRecord<String, byte[]> done = record(completed("a", 1), session.sessionKey());
    assertTrue(pipeline.accept(done).orElseThrow().accepted());
    ResultPipeline restarted = new ResultPipeline(codec, workers, table, retries, Backoff.defaults(),
        TimestampWindow.defaults(), events, clock, 1000);

    assertEquals("work is already completed", restarted.accept(done, ReadAgain.Kind.AFTER_UNSTICK).orElseThrow()
        .rejection());
    restarted.accept(record(completed("a", 1), Signatures.randomToken()), ReadAgain.Kind.AFTER_UNSTICK);
    assertEquals(List.of("work is already completed" + ResultPipeline.READ_AGAIN_AFTER_UNSTICK, "bad signature"),
        rejections().stream().map(Event::error).toList());
    assertEquals(WorkState.COMPLETED, table.status("a").orElseThrow().state());
  }

  /**
   * A coordinator that lost a results partition (the hand-over commit failed, say) and holds it again
   * reads its results again from the committed offset: one it accepted before the loss is judged by
   * its work's state as it is now (another coordinator decided that work meanwhile), not refused as a
   * replay by what this one remembered. A replay on a partition it kept is still refused as one.
   */
  @Test
  void aResultReadAgainAfterItsPartitionWasLostAndRegainedIsJudgedByItsWorkNotAsAReplay() {
    Ownership ownership = Ownership.byPartition(2);
    ownership.gained(List.of(0, 1));
    WorkTable split = new WorkTable(events, codec, Journal.discarding(), ownership);
    ResultPipeline owner = new ResultPipeline(codec, workers, split, retries, Backoff.defaults(),
        TimestampWindow.defaults(), events, clock, 1000);
    String lost = idIn(0, 2);
    String kept = idIn(1, 2);
    Instant now = clock.instant();
    for (String id : List.of(lost, kept)) {
      split.queued(new WorkEnvelope(id, "default", 1, 1, 60, TextNode.valueOf("d"), now, now.plusSeconds(60)),
          now.toEpochMilli());
    }
    ConsumerRecord<String, byte[]> lostDone = record(completed(lost, 1), session.sessionKey());
    ConsumerRecord<String, byte[]> keptDone = record(completed(kept, 1), session.sessionKey());
    assertTrue(owner.accept(lostDone).orElseThrow().accepted());
    assertTrue(owner.accept(keptDone).orElseThrow().accepted());

    ownership.lost(List.of(0));
    owner.lost(List.of(0));
    ownership.gained(List.of(0));

    assertEquals("work is already completed", owner.accept(lostDone, ReadAgain.Kind.DECIDED_HERE).orElseThrow()
        .rejection(), "judged by the work's state");
    assertEquals("replayed result for attempt 1", owner.accept(keptDone).orElseThrow().rejection());
  }

  /** A work id that Kafka's default partitioner puts in {@code partition} of {@code partitions}. */
  private static String idIn(int partition, int partitions) {
    for (int i = 0; ; i++) {
      if (Ownership.partitionOf("w" + i, partitions) == partition) {
        return "w" + i;
      }
    }
  }

  private static ResultEnvelope running(String id, int attempt, com.fasterxml.jackson.databind.JsonNode result) {
    return new ResultEnvelope(id, attempt, ResultStatus.RUNNING, result, null, null, 1000);
  }

  @Test
  void aReplayedRunningNoticeDoesNotRollProgressBack() {
    add("a", 1);
    ConsumerRecord<String, byte[]> first = record(running("a", 1, new Progress(10, null).toJson()),
        session.sessionKey());
    assertTrue(pipeline.accept(first).orElseThrow().accepted());
    clock.advance(Duration.ofSeconds(1));
    pipeline.accept(record(running("a", 1, new Progress(50, null).toJson()), session.sessionKey()));
    clock.advance(Duration.ofSeconds(1));
    assertTrue(!pipeline.accept(first).orElseThrow().accepted(), "the first notice, captured and sent again");
    assertEquals(new Progress(50, null), table.status("a").orElseThrow().progress());
    assertEquals(List.of(), rejections(), "a refused notice fires nothing");
  }

  /** A running notice carrying the hand-out mark, sealed as a coordinator seals it with {@code key}. */
  private ConsumerRecord<String, byte[]> sealedNotice(String id, int attempt, byte[] key) {
    SignedResult signed = SignedResult.sign(codec, running(id, attempt, ResultPipeline.handedOutMark()),
        session.workerId(), session.sessionKey(), clock);
    ProducerRecord<String, byte[]> p = signed.toRecord("p.results");
    HandoutSeal.of(key).seal(p, session.workerId(), signed.timestampMillis());
    return consumerRecord(p);
  }

  @Test
  void aNoticeOfWorkHandedOutOverHttpMarksItSoThatNoLaterAttemptIsTaken() {
    add("a", 1);
    pipeline.handoutSeal(HandoutSeal.of(OPERATOR_KEY));
    pipeline.accept(sealedNotice("a", 1, OPERATOR_KEY));
    Registration r = workers.register();
    Session other = workers.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    pipeline.accept(consumerRecord(SignedResult.sign(codec, completed("a", 2), other.workerId(), other.sessionKey(),
        clock).toRecord("p.results")));
    List<Event> rejected = rejections();
    assertEquals(List.of("attempt 2 was never handed out: attempt 1 was handed out over HTTP"),
        rejected.stream().map(Event::error).toList());
    assertEquals(WorkState.RUNNING, table.status("a").orElseThrow().state());
  }

  /**
   * docs/coordinator.md: the hand-out mark is set only by a coordinator. A verified worker's own notice
   * of exactly {"handedOut":true} (signed with its session key, as any notice) for queued work it does
   * not hold, unsealed or sealed with a key that is not the coordinators', counts as a plain running
   * notice: it does not stop the next attempt (a Kafka redelivery) from being taken.
   */
  @Test
  void aHandedOutMarkThatNoCoordinatorSealedDoesNotStopTheNextAttemptFromBeingTaken() {
    pipeline.handoutSeal(HandoutSeal.of(OPERATOR_KEY));
    add("a", 1);
    add("b", 1);
    assertTrue(pipeline.accept(record(running("a", 1, ResultPipeline.handedOutMark()), session.sessionKey()))
        .orElseThrow().accepted(), "the notice itself still counts");
    pipeline.accept(sealedNotice("b", 1, "not-the-operator-key".getBytes(StandardCharsets.UTF_8)));
    assertEquals(WorkState.RUNNING, table.status("a").orElseThrow().state());
    Registration r = workers.register();
    Session next = workers.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    for (String id : List.of("a", "b")) {
      pipeline.accept(consumerRecord(SignedResult.sign(codec, completed(id, 2), next.workerId(), next.sessionKey(),
          clock).toRecord("p.results")));
      assertEquals(WorkState.COMPLETED, table.status(id).orElseThrow().state(), id);
    }
    assertEquals(List.of(), rejections());
  }

  /** A coordinator without an operator key cannot tell a coordinator's mark from a worker's: it takes none. */
  @Test
  void withoutAnOperatorKeyNoHandedOutMarkIsTaken() {
    add("a", 1);
    pipeline.accept(sealedNotice("a", 1, OPERATOR_KEY));
    Registration r = workers.register();
    Session next = workers.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    pipeline.accept(consumerRecord(SignedResult.sign(codec, completed("a", 2), next.workerId(), next.sessionKey(),
        clock).toRecord("p.results")));
    assertEquals(WorkState.COMPLETED, table.status("a").orElseThrow().state());
  }

  @Test
  void aKafkaWorkersProgressWithAHandedOutFieldDoesNotStopTheNextAttemptFromBeingTaken() {
    add("a", 1);
    // A Kafka worker's progress: percent and message are read, any other field is ignored (protocol.md).
    pipeline.accept(record(running("a", 1, new Progress(40, "x").toJson().put("handedOut", true)),
        session.sessionKey()));
    Registration r = workers.register();
    Session next = workers.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    // Its lock ran out: another Kafka worker runs the redelivery as attempt 2.
    pipeline.accept(consumerRecord(SignedResult.sign(codec, completed("a", 2), next.workerId(), next.sessionKey(),
        clock).toRecord("p.results")));
    assertEquals(List.of(), rejections());
    assertEquals(WorkState.COMPLETED, table.status("a").orElseThrow().state());
  }

  @Test
  void aStaleTimestampIsRejected() {
    add("a", 1);
    MutableClock workerClock = new MutableClock(clock.instant().minus(Duration.ofMinutes(6)));
    pipeline.accept(consumerRecord(SignedResult.sign(codec, completed("a", 1), session.workerId(),
        session.sessionKey(), workerClock).toRecord("p.results")));
    assertRejectedWithoutChange("a", "timestamp outside the accepted window");
  }

  @Test
  void missingHeadersAreRejected() {
    add("a", 1);
    pipeline.accept(new ConsumerRecord<>("p.results", 0, 0, "a", codec.encode(completed("a", 1))));
    assertRejectedWithoutChange("a", "missing authentication headers");
  }

  @Test
  void aResultNamingAnotherWorkerIsRejected() {
    add("a", 1);
    pipeline.accept(record(new ResultEnvelope("a", 1, ResultStatus.COMPLETED, null, null, "w-someone-else", 1),
        session.sessionKey()));
    assertRejectedWithoutChange("a", "worker id in the result does not match the signer");
  }

  @Test
  void undecodableRecordsAreReportedAndSkipped() {
    pipeline.accept(new ConsumerRecord<>("p.results", 2, 7, "k", "{not json".getBytes(StandardCharsets.UTF_8)));
    pipeline.accept(new ConsumerRecord<>("p.results", 2, 8, "k", null));
    pipeline.accept(new ConsumerRecord<>("p.results", 2, 9, "k",
        "{\"schema\":\"gowork.result/v9\",\"workId\":\"a\",\"attempt\":1,\"status\":\"completed\"}"
            .getBytes(StandardCharsets.UTF_8)));
    events.close();
    List<Event> r = log.of(EventType.RECORD_REJECTED);
    assertEquals(3, r.size());
    assertTrue(r.get(0).error().startsWith("p.results-2@7: "), r.get(0).error());
    // The key of a record that does not decode is the writer's text, not a work id to join on.
    assertTrue(r.stream().allMatch(e -> e.workId() == null), r::toString);
  }

  @Test
  void resultsForUnknownWorkAreAnsweredNotKnownQuietly() {
    assertEquals(Optional.of(ResultPipeline.NOT_KNOWN),
        pipeline.accept(record(completed("someone-elses", 1), session.sessionKey())));
    events.close();
    assertTrue(log.of(EventType.RESULT_REJECTED).isEmpty());
  }

  @Test
  void trustedResultsStillRefuseReplaysAndFinishedWork() {
    add("a", 1);
    assertTrue(pipeline.applyTrusted(completed("a", 1)).accepted());
    assertEquals("replayed result for attempt 1", pipeline.applyTrusted(completed("a", 1)).rejection());
    assertEquals("work is already completed", pipeline.applyTrusted(completed("a", 2)).rejection());
  }

  @Test
  void aRecordOverTheSizeLimitIsReportedAndSkipped() {
    add("a", 1);
    byte[] huge = new byte[codec.maxRecordBytes() + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    pipeline.accept(new ConsumerRecord<>("p.results", 1, 3, "a", huge));
    events.close();
    List<Event> r = log.of(EventType.RECORD_REJECTED);
    assertEquals(1, r.size());
    assertTrue(r.get(0).error().startsWith("p.results-1@3: "), r.get(0).error());
    assertEquals(WorkState.QUEUED, table.status("a").orElseThrow().state());
  }

  @Test
  void aResultFromAnUnknownWorkerIsRejected() {
    add("a", 1);
    pipeline.accept(consumerRecord(SignedResult.sign(codec, completed("a", 1), "w-0000000000000000",
        session.sessionKey(), clock).toRecord("p.results")));
    assertRejectedWithoutChange("a", "unknown or expired session");
  }

  @Test
  void aResultForWorkAddedByAnotherCoordinatorWaitsForItsStateThenApplies() {
    int[] catchUps = {0};
    pipeline.catchUpWith(() -> {
      catchUps[0]++;
      add("elsewhere", 1); // what following <p>.state brings in
      return true;
    });
    assertTrue(pipeline.accept(record(completed("elsewhere", 1), session.sessionKey())).orElseThrow().accepted());
    assertEquals(1, catchUps[0]);
    assertEquals(WorkState.COMPLETED, table.status("elsewhere").orElseThrow().state());
  }

  @Test
  void onlyAnAuthenticatedResultMayWaitForOtherCoordinatorsAndUnknownWorkIsThenSkipped() {
    int[] catchUps = {0};
    pipeline.catchUpWith(() -> {
      catchUps[0]++;
      return true;
    });
    pipeline.accept(record(completed("nowhere", 1), Signatures.randomToken()));
    assertEquals(0, catchUps[0], "a forged result must not make the coordinator wait");
    assertEquals(Optional.of(ResultPipeline.NOT_KNOWN),
        pipeline.accept(record(completed("nowhere", 1), session.sessionKey())));
    assertEquals(1, catchUps[0]);
    assertTrue(table.status("nowhere").isEmpty());
  }
}
