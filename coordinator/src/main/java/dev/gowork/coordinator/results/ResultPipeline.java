package dev.gowork.coordinator.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.signing.TimestampWindow;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.retry.Backoff;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.work.Progress;
import dev.gowork.coordinator.work.Verdict;
import dev.gowork.coordinator.work.WorkRef;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a result does. Every result, from Kafka or from this process, ends up in
 * {@link WorkTable#applyResult}; this class checks it first. A record from the results topic must
 * decode, carry the three auth headers, be signed within the timestamp window under the open session
 * of the worker it names, and not repeat an accepted (work id, attempt). The window and the session
 * are also judged at the broker's append time when the topic records it, so a result written in time
 * and read late (after a restart, or an outage longer than the window) still counts. Any failure fires
 * {@code record_rejected} (undecodable) or {@code result_rejected} (with the reason in {@code error})
 * and changes nothing. An authenticated result for work this coordinator does not know, even after
 * catching up with the other coordinators' state, changes nothing and is answered {@link #NOT_KNOWN}.
 * A {@code running} notice passes the same checks and marks the work running
 * ({@link WorkTable#noteRunning}), unless one signed later was applied to the attempt.
 * Never throws for bad input, so one record cannot stop the loop.
 *
 * <p>A record the results loop reads again ({@link ReadAgain}) is not a replay: refused because this
 * coordinator decided it before, it is logged, not reported again. Read again after a partition was
 * unstuck, a refusal by its work's state carries {@link #READ_AGAIN_AFTER_UNSTICK} in {@code error};
 * failed authentication is reported as always.
 */
public final class ResultPipeline {
  /**
   * The verdict on an authenticated result for work this coordinator does not know even after
   * catching up: work forgotten after its retention or never added, or, with several coordinators,
   * work whose adder has sent it but not yet committed its state (the caller may try it again later).
   */
  public static final Verdict NOT_KNOWN = new Verdict(null, "unknown work");
  private static final String HANDED_OUT = "handedOut";
  /** Appended to the reason of a refusal by the work's state of a result read again after an unstick. */
  public static final String READ_AGAIN_AFTER_UNSTICK = " (read again after its results partition was unstuck)";
  private static final Logger LOG = LoggerFactory.getLogger(ResultPipeline.class);

  private final WireCodec codec;
  private final WorkerRegistry workers;
  private final WorkTable table;
  private final RetryPlan retries;
  private final Backoff backoff;
  private final TimestampWindow window;
  private final EventDispatcher events;
  private final Clock clock;
  private final ReplayGuard replays;
  private volatile BooleanSupplier catchUp = () -> false;
  private volatile OwnerRequests requests;
  private volatile OwnerRequests.Owner requestOwner;
  private volatile HandoutSeal seal = HandoutSeal.none();

  public ResultPipeline(WireCodec codec, WorkerRegistry workers, WorkTable table, RetryPlan retries, Backoff backoff,
      TimestampWindow window, EventDispatcher events, Clock clock, long replayMemory) {
    this.codec = codec;
    this.workers = workers;
    this.table = table;
    this.retries = retries;
    this.backoff = backoff;
    this.window = window;
    this.events = events;
    this.clock = clock;
    this.replays = new ReplayGuard(replayMemory);
  }

  /**
   * Lets the pipeline wait for other coordinators' state before it gives up on a result for work or
   * a worker it does not know (yet): {@code catchUp} returns true once it has seen everything
   * committed so far.
   */
  public void catchUpWith(BooleanSupplier catchUp) {
    this.catchUp = catchUp;
  }

  /**
   * Has requests forwarded by other coordinators (records of the results topic marked as such) checked
   * by {@code requests} and applied by {@code owner}, in order with the results around them.
   */
  public void forwardedRequests(OwnerRequests requests, OwnerRequests.Owner owner) {
    this.requestOwner = owner;
    this.requests = requests;
  }

  /**
   * Has the hand-out mark of a running notice taken only when {@code seal} finds it sealed by a
   * coordinator (by default none is: a mark is then ignored, the notice still counts).
   */
  public void handoutSeal(HandoutSeal seal) {
    this.seal = seal;
  }

  /**
   * Checks and applies one record of the results topic (a forwarded request is applied, with no
   * verdict; one whose work or worker is not known yet is answered {@link #NOT_KNOWN}).
   */
  public Optional<Verdict> accept(ConsumerRecord<String, byte[]> rec) {
    return accept(rec, ReadAgain.Kind.FIRST);
  }

  /** {@link #accept(ConsumerRecord)} for a record read as {@code again} says. */
  Optional<Verdict> accept(ConsumerRecord<String, byte[]> rec, ReadAgain.Kind again) {
    OwnerRequests forwarded = requests;
    if (forwarded != null && OwnerRequests.isRequest(rec)) {
      // Not known yet: held like a result for work not known yet (UnknownWorkHold), then applied.
      return forwarded.accept(rec, requestOwner, catchUp) ? Optional.empty() : Optional.of(NOT_KNOWN);
    }
    Decoded<ResultEnvelope> d = codec.decodeResult(rec.value());
    if (!d.isOk()) {
      // No workId: the key of a record that does not decode is the writer's text, not a work id to join on.
      events.event(EventType.RECORD_REJECTED)
          .error(rec.topic() + "-" + rec.partition() + "@" + rec.offset() + ": " + d.error().message()).fire();
      return Optional.empty();
    }
    ResultEnvelope r = d.value();
    // Failed authentication is reported as always, unless this coordinator decided this very record before.
    ReadAgain.Kind checked = again == ReadAgain.Kind.DECIDED_HERE ? again : ReadAgain.Kind.FIRST;
    String workerId = ResultHeaders.read(rec.headers(), ResultHeaders.WORKER_ID);
    String tsText = ResultHeaders.read(rec.headers(), ResultHeaders.TIMESTAMP);
    String signature = ResultHeaders.read(rec.headers(), ResultHeaders.SIGNATURE);
    String shownWorker = shortOrNull(workerId);
    if (workerId == null || tsText == null || signature == null) {
      return Optional.of(reject(r, shownWorker, "missing authentication headers", checked));
    }
    if (rec.key() != null && !rec.key().equals(r.workId())) {
      return Optional.of(reject(r, shownWorker, "record key does not match the work id", checked));
    }
    long ts = TimestampWindow.parse(tsText);
    // When the broker stamps the append time (our results topic does), a result is also judged by
    // when it reached Kafka: one read late, e.g. a backlog after a restart, was written in time.
    // Each way is judged at one instant: the window and the session both now, or both at the append.
    long appended = rec.timestampType() == TimestampType.LOG_APPEND_TIME ? rec.timestamp() : -1;
    boolean timelyNow = ts >= 0 && window.accepts(ts, clock.instant());
    long timelyAt = ts >= 0 && appended >= 0 && window.accepts(ts, Instant.ofEpochMilli(appended)) ? appended : -1;
    if (!timelyNow && timelyAt < 0) {
      return Optional.of(reject(r, shownWorker, "timestamp outside the accepted window", checked));
    }
    Optional<String> key = sessionKey(workerId, timelyNow, timelyAt);
    if (key.isEmpty() && catchUp.getAsBoolean()) {
      key = sessionKey(workerId, timelyNow, timelyAt);
    }
    if (key.isEmpty()) {
      return Optional.of(reject(r, shownWorker, "unknown or expired session", checked));
    }
    if (!Signatures.checkResult(key.get(), r.workId(), r.attempt(), r.status(), ts, rec.value(), signature)) {
      return Optional.of(reject(r, shownWorker, "bad signature", checked));
    }
    if (r.workerId() != null && !r.workerId().equals(workerId)) {
      return Optional.of(reject(r, shownWorker, "worker id in the result does not match the signer", checked));
    }
    // Only an authenticated result may make this coordinator wait for the others' state.
    if (!table.knows(r.workId()) && !(catchUp.getAsBoolean() && table.knows(r.workId()))) {
      return Optional.of(NOT_KNOWN);
    }
    workers.touch(workerId);
    if (r.status() == ResultStatus.RUNNING) {
      boolean handedOut = isHandedOut(r.result()) && seal.isSealed(rec, workerId, ts);
      return Optional.of(noteRunning(r, workerId, ts, handedOut));
    }
    return Optional.of(apply(r, workerId, again));
  }

  /**
   * A running notice signed at {@code signedAt}: not in the replay guard (it may come again, and must
   * not use up the attempt's result); the work table refuses one signed before the last it applied to
   * the attempt. A refusal fires nothing, since a notice overtaken by its result or the deadline is normal.
   * {@code handedOut}: it carries the hand-out mark, sealed by a coordinator ({@link HandoutSeal}); an
   * unsealed mark (a worker's own) is ignored and the notice counts as any other.
   */
  private Verdict noteRunning(ResultEnvelope r, String workerId, long signedAt, boolean handedOut) {
    if (!table.owns(r.workId())) {
      return new Verdict(null, WorkTable.NOT_OWNED);
    }
    return table.noteRunning(r.workId(), r.attempt(), workerId, Progress.from(r.result()), handedOut, signedAt,
        clock.millis());
  }

  /**
   * The {@code result} of the running notice a coordinator sends the owner of work it handed out over
   * HTTP, {@code {"handedOut":true}}, so that the owner marks the attempt as handed out to that worker;
   * taken only with the coordinators' {@link HandoutSeal}.
   */
  public static ObjectNode handedOutMark() {
    return JsonNodeFactory.instance.objectNode().put(HANDED_OUT, true);
  }

  /**
   * True for exactly {@link #handedOutMark()}: a Kafka worker's progress may carry other fields, which are
   * ignored, so a {@code handedOut} among them must not mark the work (its next attempt would be refused).
   */
  private static boolean isHandedOut(JsonNode result) {
    return result != null && result.isObject() && result.size() == 1 && result.path(HANDED_OUT).isBoolean()
        && result.path(HANDED_OUT).booleanValue();
  }

  /**
   * The worker's open session key when the result is timely now, else the key of the session it had
   * open when the result was appended (when it was timely then).
   */
  private Optional<String> sessionKey(String workerId, boolean timelyNow, long timelyAt) {
    Optional<String> open = timelyNow ? workers.sessionKey(workerId) : Optional.empty();
    return open.isPresent() || timelyAt < 0 ? open : workers.sessionKeyAt(workerId, timelyAt);
  }

  /**
   * This coordinator no longer holds results {@code partitions}: forgets which of their work's results
   * it accepted, so that, holding one again, it judges a result read again there by the work's state
   * then (the coordinator that held it meanwhile may have moved it on) and not as a replay.
   */
  void lost(Collection<Integer> partitions) {
    replays.forgetPartitions(partitions);
  }

  /** Applies a result that did not cross Kafka (the in-process {@code submit(Work)}); still refuses replays. */
  public Verdict applyTrusted(ResultEnvelope r) {
    return apply(r, r.workerId(), ReadAgain.Kind.FIRST);
  }

  private Verdict apply(ResultEnvelope r, String workerId, ReadAgain.Kind again) {
    if (!table.owns(r.workId())) {
      return new Verdict(null, WorkTable.NOT_OWNED);
    }
    if (!replays.firstTime(r.workId(), r.attempt(), table.partitionOf(r.workId()), table.incarnation(r.workId()))) {
      return reject(r, workerId, "replayed result for attempt " + r.attempt(), again);
    }
    long now = clock.millis();
    Verdict v = table.applyResult(r, workerId, now);
    if (!v.accepted()) {
      replays.forget(r.workId(), r.attempt());
      return reject(r, workerId, v.rejection(), again);
    }
    if (v.retry()) {
      long wait = backoff.delayMillis(r.attempt(), ThreadLocalRandom.current().nextDouble());
      retries.schedule(r.workId(), r.attempt() + 1, now + wait);
    }
    return v;
  }

  /**
   * Reports a refusal as {@code result_rejected}; not for a record this coordinator decided before (its
   * first reading was reported, or accepted), which is logged instead.
   */
  private Verdict reject(ResultEnvelope r, String workerId, String reason, ReadAgain.Kind again) {
    if (again == ReadAgain.Kind.DECIDED_HERE) {
      LOG.info("result for work {} attempt {} read again (decided here before) and refused: {}", r.workId(),
          r.attempt(), reason);
    } else {
      String queue = table.ref(r.workId()).map(WorkRef::queue).orElse(null);
      events.event(EventType.RESULT_REJECTED).queue(queue).work(r.workId()).worker(workerId)
          .workerName(workers.verifiedName(workerId)).attempt(r.attempt())
          .error(again == ReadAgain.Kind.AFTER_UNSTICK ? reason + READ_AGAIN_AFTER_UNSTICK : reason).fire();
    }
    return new Verdict(table.status(r.workId()).map(s -> s.state()).orElse(null), reason);
  }

  private static String shortOrNull(String s) {
    return s == null || s.length() > WireCodec.MAX_ID_LENGTH ? null : s;
  }
}
