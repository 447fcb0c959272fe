package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.results.HandoutSeal;
import dev.gowork.coordinator.results.ResultPipeline;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.Progress;
import dev.gowork.coordinator.work.Verdict;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results that do not come from a Kafka worker. An HTTP worker's result, progress report or running
 * notice is checked (session, work still open), signed with its session key and published to
 * {@code <p>.results}, so that one pipeline, on the coordinator that owns the work, handles every
 * result. The application's own {@code submit(Work)} is applied at once, to work this coordinator owns.
 *
 * <p>Progress reports of one attempt of a work item pass here at most once per {@link #PROGRESS_INTERVAL}
 * (a new attempt has its own, so its first report is not refused for its predecessor's last), timed on
 * the monotonic nanoTime from the last one this coordinator passed on: a local duration, so a step of the
 * wall clock (NTP, a resumed VM) neither refuses reports for the size of the step nor lets a flood through.
 */
final class Submissions {
  private static final Logger LOG = LoggerFactory.getLogger(Submissions.class);
  /** How often an HTTP worker may report the progress of one work item. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
  private final WorkerRegistry workers;
  private final WorkTable table;
  private final Ownership ownership;
  private final ResultPipeline pipeline;
  private final Journal journal;
  private final WireCodec codec;
  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final Clock clock;
  private final LongSupplier nanoTime;
  /** By attempt, when a progress report was last passed on, on {@link #nanoTime}; pruned once an interval. */
  private final ConcurrentHashMap<Attempt, Long> progressPassed = new ConcurrentHashMap<>();
  private volatile long prunedNanos;
  private final Duration sendTimeout;
  private final HandoutSeal seal;

  /**
   * @param nanoTime the monotonic time source of the progress rate limit, {@code System::nanoTime} outside tests
   * @param sendTimeout how long a result may wait for Kafka's acknowledgement
   * @param seal seals the hand-out mark of the running notices this coordinator sends other owners
   */
  Submissions(WorkerRegistry workers, WorkTable table, Ownership ownership, ResultPipeline pipeline, Journal journal,
      WireCodec codec, Producer<String, byte[]> producer, Topics topics, Clock clock,
      LongSupplier nanoTime, Duration sendTimeout, HandoutSeal seal) {
    this.seal = seal;
    this.workers = workers;
    this.table = table;
    this.ownership = ownership;
    this.pipeline = pipeline;
    this.journal = journal;
    this.codec = codec;
    this.producer = producer;
    this.topics = topics;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.prunedNanos = nanoTime.getAsLong();
    this.sendTimeout = sendTimeout;
  }

  /** {@link WorkServer#submit(String, String, ResultEnvelope)}. */
  void submit(String workerId, String sessionKey, ResultEnvelope result) {
    if (!workers.authenticate(workerId, sessionKey)) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "unknown worker or invalid session");
    }
    if (result.status() == ResultStatus.RUNNING) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "status 'running' is not a result: work taken with "
          + "POST /v1/work/next is running already; send completed, failed or timed_out");
    }
    checkOpen(result.workId(), workerId);
    publishSigned(new ResultEnvelope(result.workId(), result.attempt(), result.status(), result.result(),
        result.error(), workerId, result.durationMs()), workerId, sessionKey);
  }

  /** {@link WorkServer#reportProgress}. */
  void reportProgress(String workerId, String sessionKey, String workId, int attempt, Progress progress) {
    if (!workers.authenticate(workerId, sessionKey)) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "unknown worker or invalid session");
    }
    WorkStatus open = checkOpen(workId, workerId);
    // Attempt numbers outside 1..maxAttempts share the nearest one's limit: a worker naming ever higher (or,
    // through a library caller, ever lower) ones would otherwise get another report a second with each.
    Attempt key = new Attempt(workId, Math.min(Math.max(1, attempt), Math.max(1, open.maxAttempts())));
    long passed = passProgress(key);
    try {
      publishSigned(new ResultEnvelope(workId, attempt, ResultStatus.RUNNING, progress.toJson(), null, workerId, -1),
          workerId, sessionKey);
    } catch (RuntimeException e) {
      progressPassed.remove(key, passed); // not sent: the worker may try again at once
      throw e;
    }
  }

  /** One attempt of a work item: what the progress rate limit counts by. */
  private record Attempt(String workId, int attempt) {}

  /**
   * Notes a progress report of {@code key} as passed on now, on {@link #nanoTime}, and returns that time.
   *
   * @throws GoWorkException RATE_LIMITED when one was passed on less than {@link #PROGRESS_INTERVAL} ago
   */
  private long passProgress(Attempt key) {
    long now = nanoTime.getAsLong();
    long interval = PROGRESS_INTERVAL.toNanos();
    if (now - prunedNanos >= interval) {
      prunedNanos = now;
      progressPassed.values().removeIf(at -> now - at >= interval);
    }
    boolean[] passes = new boolean[1];
    progressPassed.compute(key, (k, last) -> {
      passes[0] = last == null || now - last >= interval;
      return passes[0] ? now : last;
    });
    if (!passes[0]) {
      throw new GoWorkException(ErrorCode.RATE_LIMITED, "progress of attempt " + key.attempt() + " of work "
          + key.workId() + " was reported less than " + PROGRESS_INTERVAL.toSeconds()
          + " s ago; report at most once a second");
    }
    return now;
  }

  /**
   * Tells the owner of work handed out here but owned by another coordinator that the HTTP worker runs
   * it: a running notice on the results topic, signed with the worker's session key, so that the owner
   * marks it running. With an operator key it is also marked as handed out over HTTP and the mark sealed
   * ({@link HandoutSeal}), so that the owner takes no other attempt of it; without one, the owner cannot
   * tell a coordinator's mark from a worker's, so none is sent. Not waited for: a notice that is lost
   * leaves the work queued on the owner, as before.
   */
  void sendRunningNotice(String workId, int attempt, String workerId, String sessionKey) {
    try {
      SignedResult signed = SignedResult.sign(codec, new ResultEnvelope(workId, attempt, ResultStatus.RUNNING,
          seal.enabled() ? ResultPipeline.handedOutMark() : null, null, workerId, -1), workerId, sessionKey, clock);
      ProducerRecord<String, byte[]> rec = signed.toRecord(topics.results());
      if (seal.enabled()) {
        seal.seal(rec, workerId, signed.timestampMillis());
      }
      producer.send(rec, (meta, error) -> {
        if (error != null) {
          LOG.warn("the running notice of {} for its owner was not sent: {}", workId, error.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("the running notice of {} for its owner was not sent: {}", workId, e.toString());
    }
  }

  /** Signs {@code own} with the worker's session key and publishes it to the results topic; returns once Kafka has it. */
  private void publishSigned(ResultEnvelope own, String workerId, String sessionKey) {
    SignedResult signed = SignedResult.sign(codec, own, workerId, sessionKey, clock);
    if (signed.value().length > codec.maxRecordBytes()) {
      throw new GoWorkException(ErrorCode.TOO_LARGE, "result is " + signed.value().length
          + " bytes, over the limit of " + codec.maxRecordBytes());
    }
    Future<RecordMetadata> sent;
    try {
      sent = producer.send(signed.toRecord(topics.results()));
    } catch (KafkaException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "publishing the result of " + own.workId() + " failed: "
          + e.getMessage(), e);
    }
    WorkPublisher.await(sent, sendTimeout, "publishing the result of " + own.workId());
  }

  /** {@link WorkServer#submit(Work)}. */
  void submit(Work work) {
    checkOpen(work.id(), null);
    if (!table.owns(work.id())) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + work.id() + " belongs to another coordinator (results "
          + "partition " + ownership.partitionOf(work.id()) + "); submit its result there, or through the results "
          + "topic (HTTP POST /v1/work/{id}/result works on any coordinator)");
    }
    ResultStatus status = work.error() == null ? ResultStatus.COMPLETED : ResultStatus.FAILED;
    Verdict v = pipeline.applyTrusted(new ResultEnvelope(work.id(), work.attempt(), status, work.result(),
        work.error(), null, -1));
    if (!v.accepted()) {
      throw new GoWorkException(v.state() == WorkState.TIMED_OUT ? ErrorCode.TIMED_OUT : ErrorCode.CONFLICT,
          "result refused: " + v.rejection());
    }
    journal.flushAndWait();
  }

  /**
   * Refuses at once, with the HTTP caller's status code, a result the work table would refuse later.
   *
   * @param workerId the submitting worker, or null for the application's own {@code submit(Work)}
   */
  private WorkStatus checkOpen(String workId, String workerId) {
    WorkStatus s = table.status(workId)
        .orElseThrow(() -> new GoWorkException(ErrorCode.NOT_FOUND, "no work with id " + workId));
    if (s.state() == WorkState.TIMED_OUT) {
      throw new GoWorkException(ErrorCode.TIMED_OUT, "work " + workId + " timed out");
    }
    if (Lifecycle.isTerminal(s.state())) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + " is already " + s.state().wireName());
    }
    if (workerId != null && s.state() == WorkState.RUNNING && s.workerId() != null && !s.workerId().equals(workerId)) {
      throw new GoWorkException(ErrorCode.CONFLICT, "work " + workId + ": " + WorkTable.HANDED_TO_ANOTHER);
    }
    return s;
  }
}
