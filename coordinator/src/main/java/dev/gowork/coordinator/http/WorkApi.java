package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.Work;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** The producer side: add work, one item or a batch, read an item's status, and cancel it. */
final class WorkApi {
  private final WorkServer server;
  private final WireCodec codec;
  private final WireCodec batchCodec;

  WorkApi(WorkServer server, WireCodec codec, WireCodec batchCodec) {
    this.server = server;
    this.codec = codec;
    this.batchCodec = batchCodec;
  }

  List<Route> routes() {
    return List.of(
        new Route("POST", "/v1/work", Access.PRODUCER, codec, this::add),
        new Route("POST", "/v1/work/batch", Access.PRODUCER, batchCodec, this::addBatch),
        new Route("GET", "/v1/work/{id}", Access.PRODUCER, codec, this::status),
        new Route("POST", "/v1/work/{id}/cancel", Access.PRODUCER, codec, this::cancel));
  }

  /**
   * 202 {@code {"workId", "alreadyAdded"}}: work with a {@code workId} the coordinator knows is not added
   * again, so a producer may repeat an add whose answer it lost.
   */
  private Answer add(Call call) {
    Work w = WorkRequests.work(call.json());
    boolean known = server.status(w.id()).isPresent();
    if (!known) {
      server.add(w);
    }
    ObjectNode n = Views.object();
    n.put("workId", w.id());
    n.put("alreadyAdded", known);
    return Answer.json(202, n);
  }

  /** 202 {@code {"workIds", "alreadyAdded"}}: every item's id in order, and those known already (not added again). */
  private Answer addBatch(Call call) {
    List<Work> batch = WorkRequests.batch(call.json());
    List<Work> fresh = batch.stream().filter(w -> server.status(w.id()).isEmpty()).toList();
    if (!fresh.isEmpty()) {
      server.addAll(fresh);
    }
    ObjectNode n = Views.object();
    ArrayNode ids = n.putArray("workIds");
    batch.forEach(w -> ids.add(w.id()));
    ArrayNode known = n.putArray("alreadyAdded");
    if (fresh.size() < batch.size()) {
      java.util.Set<String> added = new java.util.HashSet<>();
      fresh.forEach(w -> added.add(w.id()));
      batch.stream().filter(w -> !added.contains(w.id())).forEach(w -> known.add(w.id()));
    }
    return Answer.json(202, n);
  }

  /** Optional body {@code {"reason"}}; 200 with the cancelled work's status. */
  private Answer cancel(Call call) {
    return Answer.json(200, Views.status(server.cancel(call.param("id"), reason(call))));
  }

  /**
   * The reason of a cancel's optional body {@code {"reason"}}, or null.
   *
   * @throws GoWorkException MALFORMED for another body
   */
  static String reason(Call call) {
    JsonNode body = call.optionalJson();
    if (body == null || body.isNull()) {
      return null;
    }
    JsonNode r = body.isObject() ? body.get("reason") : null;
    if (!body.isObject() || r != null && !r.isNull() && !r.isTextual()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the body must be empty or {\"reason\": \"<text>\"}");
    }
    return r == null || r.isNull() ? null : r.textValue();
  }

  /**
   * 200 with the item's status; with {@code ?wait=N} (1 to {@value #MAX_WAIT_SECONDS} seconds) a long
   * poll: answered as soon as the item has finished, or after N seconds with whatever state it is in.
   * No HTTP thread waits meanwhile; at most {@value #MAX_WAITING} calls wait at once (429 beyond).
   */
  private Answer status(Call call) {
    String id = call.param("id");
    int wait = waitSeconds(call.query("wait", null));
    WorkStatus now = server.status(id).orElseThrow(() -> unknown());
    if (wait == 0 || Lifecycle.isTerminal(now.state())) {
      return Answer.json(200, Views.status(now));
    }
    if (waiting.incrementAndGet() > MAX_WAITING) {
      waiting.decrementAndGet();
      throw new GoWorkException(ErrorCode.RATE_LIMITED, MAX_WAITING + " calls are waiting for work to finish "
          + "already; ask again shortly, or without 'wait'");
    }
    CompletableFuture<Answer> later = server.whenFinished(id, Duration.ofSeconds(wait))
        .thenApply(s -> Answer.json(200, Views.status(s.orElseThrow(WorkApi::unknown))));
    later.whenComplete((a, e) -> waiting.decrementAndGet());
    return Answer.later(later);
  }

  private static GoWorkException unknown() {
    return new GoWorkException(ErrorCode.NOT_FOUND, "no work with that id: unknown, or finished "
        + "before the last of the finished work this coordinator keeps (GOWORK_FINISHED_RETENTION_SECONDS, "
        + "GOWORK_FINISHED_MAX_ITEMS); the events topic has every outcome");
  }

  /** Longest {@code ?wait=} of a status call. */
  static final int MAX_WAIT_SECONDS = 30;
  /** Most status calls waiting at once. */
  static final int MAX_WAITING = 1_000;
  private final AtomicInteger waiting = new AtomicInteger();

  private static int waitSeconds(String text) {
    if (text == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 0 && n <= MAX_WAIT_SECONDS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'wait' must be a whole number of seconds from 0 to "
        + MAX_WAIT_SECONDS + ", was '" + (text.length() > 20 ? text.substring(0, 20) + "…" : text) + "'");
  }
}
