package dev.gowork.coordinator.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.signing.TimestampWindow;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.events.EventDispatcher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards {@link OwnerRequest}s to the coordinator that owns their item, and applies those that
 * reach this one. A request is a {@code gowork.owner-request/v1} record on {@code <p>.results} keyed by
 * the item's id, so it lands in the partition whose owner decides about the item and is read there in
 * order with the item's results, and applied exactly once: its changes commit in the transaction that
 * commits its offset. It is sent with the plain idempotent producer, outside any transaction, so a
 * coordinator that dies while sending leaves no open transaction holding the owner's read-committed
 * reads back. Its header {@value #HEADER} tells it from a result; {@code gowork-timestamp} and
 * {@code gowork-signature} authenticate it ({@link Signatures#signRequest} with the operator key, which
 * coordinators share and workers do not hold; a copy replayed outside the timestamp window is refused).
 *
 * <p>A request that does not authenticate or decode fires {@code record_rejected} and changes nothing;
 * one its owner refuses (the item finished meanwhile, say) is logged, and the item's state, which
 * every coordinator mirrors, answers the caller.
 */
public final class OwnerRequests {
  /** The header that marks a request; its value is the version, {@code v1}. */
  public static final String HEADER = "gowork-request";
  static final String SCHEMA = "gowork.owner-request/v1";
  /** Largest value read: an id of 200 characters and a reason of 1,000, escaped, fit well within. */
  static final int MAX_VALUE_BYTES = 16 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(OwnerRequests.class);
  private static final WireCodec CODEC = WireCodec.defaults();

  /**
   * Does what a request asks, as the owner; called on the results thread, so it must not wait for a
   * commit (the one that commits the request's offset carries the changes).
   */
  public interface Owner {
    /** @throws GoWorkException when refused, naming why */
    void apply(OwnerRequest request);

    /**
     * False while the request's subject (the work, or the worker's session) is not in this
     * coordinator's table: the sender forwards what its own table holds, e.g. work it added a moment
     * ago, so the request can be read here before the state follower mirrored it.
     */
    default boolean knows(OwnerRequest request) {
      return true;
    }

    /**
     * {@link #knows} asked again once this coordinator's mirror holds everything committed so far: a
     * subject still missing then may be one it has let go of for good, which no wait brings back.
     */
    default boolean knowsCaughtUp(OwnerRequest request) {
      return knows(request);
    }
  }

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final byte[] key;
  private final TimestampWindow window;
  private final EventDispatcher events;
  private final Clock clock;
  private final String from;

  /**
   * @param producer an idempotent producer (not transactional)
   * @param topic the results topic
   * @param operatorKey the key coordinators share to sign requests, or null: this coordinator then
   *     sends none and refuses those it reads
   * @param from this coordinator's transactional id, written into its requests for the owner's logs
   */
  public OwnerRequests(Producer<String, byte[]> producer, String topic, byte[] operatorKey, TimestampWindow window,
      EventDispatcher events, Clock clock, String from) {
    this.producer = producer;
    this.topic = topic;
    this.key = operatorKey == null ? null : operatorKey.clone();
    this.window = window;
    this.events = events;
    this.clock = clock;
    this.from = from;
  }

  /** True when this coordinator has an operator key, so it can forward requests. */
  public boolean enabled() {
    return key != null;
  }

  /**
   * Sends {@code r}, signed, to its owner.
   *
   * @return completes once Kafka has the record
   * @throws IllegalStateException without an operator key
   */
  public Future<RecordMetadata> send(OwnerRequest r) {
    return send(r, null);
  }

  /**
   * Sends {@code r}, signed, to the owner of results partition {@code partition}, or, with null, to the
   * owner of its id (the partition its key gives).
   *
   * @return completes once Kafka has the record
   * @throws IllegalStateException without an operator key
   */
  public Future<RecordMetadata> send(OwnerRequest r, Integer partition) {
    return producer.send(record(r, partition));
  }

  /**
   * The signed record {@link #send(OwnerRequest, Integer)} writes.
   *
   * @throws IllegalStateException without an operator key
   */
  public ProducerRecord<String, byte[]> record(OwnerRequest r, Integer partition) {
    if (key == null) {
      throw new IllegalStateException("no operator key: requests cannot be forwarded");
    }
    byte[] value = encode(r, from);
    long ts = clock.millis();
    ProducerRecord<String, byte[]> rec = new ProducerRecord<>(topic, partition, r.id(), value);
    rec.headers().add(HEADER, "v1".getBytes(StandardCharsets.UTF_8));
    rec.headers().add(ResultHeaders.TIMESTAMP, Long.toString(ts).getBytes(StandardCharsets.UTF_8));
    rec.headers().add(ResultHeaders.SIGNATURE, Signatures.signRequest(key, ts, value).getBytes(StandardCharsets.UTF_8));
    return rec;
  }

  /** True for a record of the results topic that is a request, not a result. */
  public static boolean isRequest(ConsumerRecord<String, byte[]> rec) {
    return rec.headers().lastHeader(HEADER) != null;
  }

  /**
   * Authenticates a request read from the results topic and has {@code owner} apply it. Never throws
   * for bad input or a refusal.
   *
   * @param catchUp waits until this coordinator's mirror holds what was committed so far (false if not)
   * @return false, having changed nothing, when the request is authentic but its subject is not known
   *     here even after {@code catchUp}: the caller holds the partition and reads it again, as for a
   *     result for work not known yet
   */
  public boolean accept(ConsumerRecord<String, byte[]> rec, Owner owner, BooleanSupplier catchUp) {
    String where = rec.topic() + "-" + rec.partition() + "@" + rec.offset();
    Optional<OwnerRequest> r;
    try {
      r = read(rec);
    } catch (IllegalArgumentException e) {
      events.event(EventType.RECORD_REJECTED).error(where + ": forwarded request refused: " + e.getMessage()).fire();
      return true;
    }
    if (r.isEmpty()) {
      return true;
    }
    if (!owner.knows(r.get()) && !(catchUp.getAsBoolean() && owner.knowsCaughtUp(r.get()))) {
      LOG.debug("forwarded {} of {} waits: not known here yet", r.get().action().wireName(), r.get().id());
      return false;
    }
    try {
      owner.apply(r.get());
      LOG.info("{} of {} done as forwarded by another coordinator", r.get().action().wireName(), r.get().id());
    } catch (GoWorkException e) {
      LOG.info("forwarded {} of {} refused: {}", r.get().action().wireName(), r.get().id(), e.getMessage());
    }
    return true;
  }

  /**
   * The request, once authenticated; empty for a version this coordinator does not know (logged).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  Optional<OwnerRequest> read(ConsumerRecord<String, byte[]> rec) {
    String version = header(rec, HEADER);
    if (!"v1".equals(version)) {
      LOG.warn("request {}-{}@{} of version '{}' skipped: this coordinator knows v1 only", rec.topic(),
          rec.partition(), rec.offset(), version);
      return Optional.empty();
    }
    byte[] value = rec.value();
    if (value == null || value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("the value is empty or over " + MAX_VALUE_BYTES + " bytes");
    }
    long ts = TimestampWindow.parse(header(rec, ResultHeaders.TIMESTAMP));
    if (ts < 0) {
      throw new IllegalArgumentException("no valid " + ResultHeaders.TIMESTAMP + " header");
    }
    if (key == null) {
      throw new IllegalArgumentException("this coordinator has no operator key (the service's GOWORK_API_TOKEN), "
          + "so it cannot check the request");
    }
    if (!Signatures.checkRequest(key, ts, value, header(rec, ResultHeaders.SIGNATURE))) {
      throw new IllegalArgumentException("bad signature (is the operator key, the service's GOWORK_API_TOKEN, the "
          + "same on every coordinator?)");
    }
    boolean timely = window.accepts(ts, clock.instant()) || rec.timestampType() == TimestampType.LOG_APPEND_TIME
        && window.accepts(ts, Instant.ofEpochMilli(rec.timestamp()));
    if (!timely) {
      throw new IllegalArgumentException("timestamp outside the accepted window");
    }
    OwnerRequest r = decode(value);
    if (rec.key() == null || !rec.key().equals(r.id())) {
      throw new IllegalArgumentException("record key does not match the id");
    }
    return Optional.of(r);
  }

  static byte[] encode(OwnerRequest r, String from) {
    ObjectNode n = CODEC.mapper().createObjectNode();
    n.put("schema", SCHEMA);
    n.put("request", r.action().wireName());
    n.put("id", r.id());
    if (r.reason() != null) {
      n.put("reason", r.reason());
    }
    if (r.attempt() > 0) {
      n.put("attempt", r.attempt());
    }
    n.put("from", from);
    return CODEC.write(n);
  }

  /** @throws IllegalArgumentException naming what is wrong */
  static OwnerRequest decode(byte[] value) {
    var parsed = CODEC.parse(value);
    if (!parsed.isOk()) {
      throw new IllegalArgumentException(parsed.error().message());
    }
    JsonNode n = parsed.value();
    if (!SCHEMA.equals(n.path("schema").asText(null))) {
      throw new IllegalArgumentException("schema is not " + SCHEMA);
    }
    String id = n.path("id").asText(null);
    if (id == null || id.isEmpty() || id.length() > WireCodec.MAX_ID_LENGTH) {
      throw new IllegalArgumentException("id must be 1-" + WireCodec.MAX_ID_LENGTH + " characters");
    }
    JsonNode reason = n.get("reason");
    if (reason != null && !reason.isTextual()) {
      throw new IllegalArgumentException("reason must be a string");
    }
    return new OwnerRequest(OwnerRequest.Action.fromWire(n.path("request").asText("")), id,
        reason == null ? null : reason.asText(), n.path("attempt").asInt(0));
  }

  private static String header(ConsumerRecord<String, byte[]> rec, String name) {
    return ResultHeaders.read(rec.headers(), name);
  }
}
