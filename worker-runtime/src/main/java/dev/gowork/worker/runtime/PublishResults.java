package dev.gowork.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.worker.session.Session;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a result under the current session and writes it to the results topic with the idempotent
 * producer; the send's outcome goes to the poll thread as {@link Completion.Published}, which then
 * ACCEPTs (written) or RELEASEs (not written). A result over the size limit is replaced by a
 * {@code failed} one that says so. Called from handler threads and the poll thread.
 *
 * <p>A result is never signed with a session that has expired (or expires within
 * {@link #EXPIRY_MARGIN}): the coordinator would refuse it, and the work would wait for its deadline.
 * It is held instead, and written by {@link #publishWaiting} once the session is renewed; the poll
 * thread renews the record's lock meanwhile, up to its work's deadline. If the session is not renewed
 * by then, the record is not acknowledged and the broker hands it to another replica when its lock
 * runs out or this replica closes.
 */
final class PublishResults {
  private static final Logger LOG = LoggerFactory.getLogger(PublishResults.class);
  private static final int MAX_ERROR_CHARS = 2000;
  /** A session this close to its expiry signs nothing: the result would reach Kafka after it. */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(1);

  private final Producer<String, byte[]> producer;
  private final String resultsTopic;
  private final WireCodec codec;
  private final Supplier<Session> session;
  private final Clock clock;
  private final Consumer<Completion> done;
  private final Queue<Unsigned> waiting = new ConcurrentLinkedQueue<>();

  /** A result waiting for a usable session. */
  private record Unsigned(Held held, ResultStatus status, JsonNode result, String error, long durationMs) {}

  PublishResults(Producer<String, byte[]> producer, String resultsTopic, WireCodec codec, Supplier<Session> session,
      Clock clock, Consumer<Completion> done) {
    this.producer = producer;
    this.resultsTopic = resultsTopic;
    this.codec = codec;
    this.session = session;
    this.clock = clock;
    this.done = done;
  }

  /** Tells the poll thread that the handler of {@code held} returned (before its result is published). */
  void handlerDone(Held held) {
    done.accept(new Completion.HandlerDone(held));
  }

  /** Tells the poll thread that {@code held} ends with no result, its work having been cancelled. */
  void dropped(Held held) {
    done.accept(new Completion.Dropped(held));
  }

  void publish(Held held, ResultStatus status, JsonNode result, String error, long durationMs) {
    if (result != null && depth(result, MAX_RESULT_DEPTH) > MAX_RESULT_DEPTH) {
      // The coordinator refuses anything nested deeper: say so, instead of a result it cannot read.
      status = ResultStatus.FAILED;
      result = null;
      error = "the result is nested deeper than " + MAX_RESULT_DEPTH + " levels";
    }
    try {
      Session s = session.get();
      if (!usable(s)) {
        LOG.info("holding the result of {} until the session of {} (expired at {}) is renewed", held, s.workerId(),
            s.expiresAt());
        waiting.add(new Unsigned(held, status, result, error, durationMs));
        return;
      }
      SignedResult signed = sign(s, new ResultEnvelope(held.work.workId(), held.attempt, status, result,
          truncate(error), s.workerId(), durationMs));
      ProducerRecord<String, byte[]> record = signed.toRecord(resultsTopic);
      String unfit = null;
      if (signed.value().length > codec.maxRecordBytes() || recordBytes(record) > codec.maxRecordBytes()) {
        // Over the codec's limit on the value, or, with its key, headers and batch header, over Kafka's
        // limit on a record (the producer's max.request.size, 1 MiB like the codec's): the send would
        // fail, the record would be released and run again until the delivery limit, with no result.
        unfit = "the result is " + signed.value().length + " bytes (" + recordBytes(record) + " with its record's key"
            + " and headers), over the limit of " + codec.maxRecordBytes();
      } else if (result != null && mayBeUnreadable(result)) {
        // Jackson's read limits (a number over 1,000 digits, a name over 50,000 characters) hold for the
        // coordinator's codec: it would drop the result as undecodable while this record is ACCEPTed.
        Decoded<ResultEnvelope> back = codec.decodeResult(signed.value());
        if (!back.isOk()) {
          unfit = truncate("the result could not be read back by the coordinator: " + back.error().message());
        }
      }
      if (unfit != null) {
        status = ResultStatus.FAILED;
        signed = sign(s, new ResultEnvelope(held.work.workId(), held.attempt, status, null, unfit, s.workerId(),
            durationMs));
        record = signed.toRecord(resultsTopic);
      }
      ResultStatus written = status;
      producer.send(record, (metadata, e) -> done.accept(new Completion.Published(held, written, e)));
    } catch (RuntimeException e) {
      done.accept(new Completion.Published(held, status, e));
    }
  }

  /**
   * Tells the coordinator that {@code held} is running, with its latest progress report if any: a
   * signed {@code running} notice on the results topic (poll thread). Best effort: with no usable session, or if the write fails, nothing more is
   * tried; the result that follows is what counts.
   */
  void announce(Held held, long runningMs, JsonNode progress) {
    Session s = session.get();
    if (!usable(s)) {
      return;
    }
    try {
      SignedResult signed = sign(s, new ResultEnvelope(held.work.workId(), held.attempt, ResultStatus.RUNNING,
          progress, null, s.workerId(), runningMs));
      producer.send(signed.toRecord(resultsTopic), (metadata, e) -> {
        if (e != null) {
          LOG.debug("the running notice of {} was not written: {}", held, e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.debug("the running notice of {} was not written: {}", held, e.toString());
    }
  }

  /** How many results wait for a usable session. */
  int waitingForSession() {
    return waiting.size();
  }

  /**
   * Writes the results held for a session, if the session is usable now (poll thread, every round).
   * One that a handler thread holds at the same moment waits for the next round.
   */
  void publishWaiting() {
    if (waiting.isEmpty() || !usable(session.get())) {
      return;
    }
    Unsigned u;
    for (int n = waiting.size(); n > 0 && (u = waiting.poll()) != null; n--) {
      publish(u.held(), u.status(), u.result(), u.error(), u.durationMs());
    }
  }

  private boolean usable(Session s) {
    return s.isValid(clock.instant().plus(EXPIRY_MARGIN));
  }

  /** How deep a result may nest: the codec's limit, less the envelope's own level. */
  static final int MAX_RESULT_DEPTH = WireCodec.MAX_NESTING_DEPTH - 1;

  /** Nesting levels of {@code node} (0 for a scalar) when at most {@code budget}; else {@code budget + 1}. */
  static int depth(JsonNode node, int budget) {
    if (!node.isContainerNode()) {
      return 0;
    }
    if (budget == 0) {
      return 1;
    }
    int deepest = 0;
    for (JsonNode child : node) {
      deepest = Math.max(deepest, depth(child, budget - 1));
      if (deepest == budget) {
        break; // over the budget already
      }
    }
    return 1 + deepest;
  }

  /**
   * True when {@code node} holds what a JSON reader's limits may refuse although the writer wrote it:
   * an arbitrary-precision number, or a field name over {@link #LONG_NAME} characters. Only then is
   * the encoded result decoded again to check it (most results have neither).
   */
  static boolean mayBeUnreadable(JsonNode node) {
    if (node.isBigInteger() || node.isBigDecimal()) {
      return true;
    }
    if (node.isObject()) {
      for (java.util.Map.Entry<String, JsonNode> e : node.properties()) {
        if (e.getKey().length() > LONG_NAME || mayBeUnreadable(e.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        if (mayBeUnreadable(child)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A field name this long is checked by reading the result back (Jackson refuses names over 50,000). */
  private static final int LONG_NAME = 1000;

  /**
   * At most how many bytes Kafka counts for {@code r} against {@code max.request.size}: the record
   * batch header (61 bytes), the record's own varints (at most 21), its key and value, and each
   * header's key and value with their two length varints (at most 10); as Kafka's own upper bound
   * for an uncompressed record of the current format.
   */
  static int recordBytes(ProducerRecord<String, byte[]> r) {
    long n = 61 + 21;
    n += r.key() == null ? 0 : r.key().getBytes(StandardCharsets.UTF_8).length;
    n += r.value() == null ? 0 : r.value().length;
    for (Header h : r.headers()) {
      n += 10 + h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
    }
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  private SignedResult sign(Session s, ResultEnvelope envelope) {
    return SignedResult.sign(codec, envelope, s.workerId(), s.sessionKey(), clock);
  }

  static String truncate(String error) {
    if (error == null || error.length() <= MAX_ERROR_CHARS) {
      return error;
    }
    return error.substring(0, MAX_ERROR_CHARS) + "…";
  }
}
