package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.work.QueueLoad;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What an operator reads and does: queue sizes, pausing a queue and cancelling its work, workers and their
 * revocation, running work, dead letters, their requeue and deletion.
 */
final class AdminApi {
  static final int DEAD_DEFAULT_LIMIT = 1_000;
  static final int DEAD_MAX_LIMIT = 10_000;
  private static final Comparator<WorkStatus> NEWEST_FIRST = Comparator.comparing(WorkStatus::updatedAt,
      Comparator.nullsLast(Comparator.<Instant>reverseOrder())).thenComparing(WorkStatus::workId);

  private static final Comparator<WorkStatus> OLDEST_FIRST = Comparator.comparing(WorkStatus::updatedAt,
      Comparator.nullsLast(Comparator.<Instant>naturalOrder())).thenComparing(WorkStatus::workId);

  /** A queue with no unfinished work. */
  private static final QueueLoad IDLE = new QueueLoad(Map.of(), 0);

  private final WorkServer server;
  private final WireCodec codec;

  AdminApi(WorkServer server, WireCodec codec) {
    this.server = server;
    this.codec = codec;
  }

  List<Route> routes() {
    return List.of(
        new Route("GET", "/v1/queues", Access.PRODUCER, codec, this::queues),
        new Route("POST", "/v1/queues/{queue}/cancel", Access.PRODUCER, codec, this::cancelQueue),
        new Route("POST", "/v1/queues/{queue}/pause", Access.PRODUCER, codec, this::pause),
        new Route("POST", "/v1/queues/{queue}/resume", Access.PRODUCER, codec, this::resume),
        new Route("GET", "/v1/workers", Access.PRODUCER, codec, this::workers),
        new Route("POST", "/v1/workers/{id}/revoke", Access.PRODUCER, codec, this::revoke),
        new Route("GET", "/v1/running", Access.PRODUCER, codec, this::running),
        new Route("GET", "/v1/dead", Access.PRODUCER, codec, this::dead),
        new Route("POST", "/v1/dead/{id}/requeue", Access.PRODUCER, codec, this::requeue),
        new Route("DELETE", "/v1/dead/{id}", Access.PRODUCER, codec, this::delete));
  }

  /**
   * {@code {"queues": {"<q>": {"queued", "running", "retrying", "scheduled", "size", "latencyMs", "paused",
   * "shareGroup"}}}}, size being their sum and latencyMs how long the oldest item that could run has waited
   * ({@link QueueLoad}); a paused queue also has {@code "pausedAt"} and {@code "pauseReason"}. {@code shareGroup}
   * is {@link Views#shareGroup}, as last counted in the background.
   */
  private Answer queues(Call call) {
    Map<String, QueueLoad> loads = server.queueLoads();
    Map<String, QueueNotice> paused = server.pausedQueues();
    Map<String, GroupSize> groups = server.shareGroups();
    Map<String, Long> sizes = new java.util.TreeMap<>(server.queueSizes());
    paused.keySet().forEach(q -> sizes.putIfAbsent(q, 0L));
    ObjectNode n = Views.object();
    ObjectNode queues = n.putObject("queues");
    sizes.forEach((queue, size) -> {
      QueueLoad load = loads.getOrDefault(queue, IDLE);
      ObjectNode q = queues.putObject(queue);
      q.put("queued", load.count(WorkState.QUEUED));
      q.put("running", load.count(WorkState.RUNNING));
      q.put("retrying", load.count(WorkState.RETRY_WAIT));
      q.put("scheduled", load.count(WorkState.SCHEDULED));
      q.put("size", size);
      q.put("latencyMs", load.latencyMs());
      QueueNotice p = paused.get(queue);
      q.put("paused", p != null);
      if (p != null) {
        Views.time(q, "pausedAt", p.changedAt());
        q.put("pauseReason", p.reason());
      }
      GroupSize group = groups.get(queue);
      String name = server.topics().shareGroup(queue);
      q.set("shareGroup", Views.shareGroup(group != null ? group : GroupSize.unknown(name)));
    });
    return Answer.json(200, n);
  }

  /** Optional body {@code {"reason"}}; 200 {@code {"queue", "paused": true, "pausedAt", "pauseReason"}}. */
  private Answer pause(Call call) {
    return Answer.json(200, pauseView(server.pauseQueue(call.param("queue"), WorkApi.reason(call))));
  }

  /** 200 {@code {"queue", "paused": false}}. */
  private Answer resume(Call call) {
    return Answer.json(200, pauseView(server.resumeQueue(call.param("queue"))));
  }

  private static ObjectNode pauseView(QueueNotice p) {
    ObjectNode n = Views.object();
    n.put("queue", p.queue());
    n.put("paused", p.paused());
    if (p.paused()) {
      Views.time(n, "pausedAt", p.changedAt());
      n.put("pauseReason", p.reason());
    }
    return n;
  }

  /** Optional body {@code {"reason"}}; 200 {@code {"queue", "cancelled", "forwarded"}}. */
  private Answer cancelQueue(Call call) {
    WorkServer.QueueCancellation c = server.cancelQueue(call.param("queue"), WorkApi.reason(call));
    ObjectNode n = Views.object();
    n.put("queue", c.queue());
    n.put("cancelled", c.cancelled());
    n.put("forwarded", c.forwarded());
    return Answer.json(200, n);
  }

  private Answer workers(Call call) {
    ObjectNode n = Views.object();
    ArrayNode list = n.putArray("workers");
    server.workers().list().forEach(w -> list.add(Views.worker(w)));
    return Answer.json(200, n);
  }

  /** Ends a worker's session at once (a leaked session key); the worker must register and verify again. */
  private Answer revoke(Call call) {
    String id = call.param("id");
    server.workers().revoke(id);
    ObjectNode n = Views.object();
    n.put("workerId", id);
    n.put("state", "revoked");
    return Answer.json(200, n);
  }

  /**
   * {@code {"total", "items": [status...]}}: running work, the one heard from longest ago first (it
   * started, or last reported progress, earliest), {@code ?limit=} of them (default 1,000, at most 10,000).
   */
  private Answer running(Call call) {
    List<WorkStatus> all = server.running();
    return listing(all.size(), first(all, OLDEST_FIRST, limit(call.query("limit", null))));
  }

  /** {@code {"total", "items": [status...]}}: the newest {@code ?limit=} (default 1,000, at most 10,000). */
  private Answer dead(Call call) {
    List<WorkStatus> all = server.deadLetters();
    return listing(all.size(), newestFirst(all, limit(call.query("limit", null))));
  }

  /** {@code {"total", "items": [status...]}}. */
  private static Answer listing(int total, List<WorkStatus> shown) {
    ObjectNode n = Views.object();
    n.put("total", total);
    ArrayNode items = n.putArray("items");
    shown.forEach(s -> items.add(Views.status(s)));
    return Answer.json(200, n);
  }

  /** The {@code limit} dead letters that died last, newest first. */
  static List<WorkStatus> newestFirst(Collection<WorkStatus> all, int limit) {
    return first(all, NEWEST_FIRST, limit);
  }

  private static List<WorkStatus> first(Collection<WorkStatus> all, Comparator<WorkStatus> order, int limit) {
    return all.stream().sorted(order).limit(limit).toList();
  }

  private static int limit(String text) {
    if (text == null) {
      return DEAD_DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= DEAD_MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'limit' must be an integer from 1 to " + DEAD_MAX_LIMIT
        + ", was '" + (text.length() > 20 ? text.substring(0, 20) + "…" : text) + "'");
  }

  private Answer requeue(Call call) {
    String id = call.param("id");
    server.requeue(id);
    ObjectNode n = Views.object();
    n.put("workId", id);
    return Answer.json(202, n);
  }

  private Answer delete(Call call) {
    String id = call.param("id");
    server.deleteDead(id);
    ObjectNode n = Views.object();
    n.put("workId", id);
    n.put("deleted", true);
    return Answer.json(200, n);
  }
}
