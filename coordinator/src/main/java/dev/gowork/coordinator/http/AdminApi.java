package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.work.WorkState;
import java.util.List;
import java.util.Map;

/** What an operator reads and does: queue sizes, workers, dead letters and their requeue. */
final class AdminApi {
  private final WorkServer server;
  private final WireCodec codec;

  AdminApi(WorkServer server, WireCodec codec) {
    this.server = server;
    this.codec = codec;
  }

  List<Route> routes() {
    return List.of(
        new Route("GET", "/v1/queues", Access.PRODUCER, codec, this::queues),
        new Route("GET", "/v1/workers", Access.PRODUCER, codec, this::workers),
        new Route("GET", "/v1/dead", Access.PRODUCER, codec, this::dead),
        new Route("POST", "/v1/dead/{id}/requeue", Access.PRODUCER, codec, this::requeue));
  }

  /** {@code {"queues": {"<q>": {"queued", "running", "retrying", "size"}}}}, size being their sum. */
  private Answer queues(Call call) {
    Map<String, Map<WorkState, Long>> byState = server.queueStates();
    ObjectNode n = Views.object();
    ObjectNode queues = n.putObject("queues");
    server.queueSizes().forEach((queue, size) -> {
      Map<WorkState, Long> s = byState.getOrDefault(queue, Map.of());
      ObjectNode q = queues.putObject(queue);
      q.put("queued", s.getOrDefault(WorkState.QUEUED, 0L));
      q.put("running", s.getOrDefault(WorkState.RUNNING, 0L));
      q.put("retrying", s.getOrDefault(WorkState.RETRY_WAIT, 0L));
      q.put("size", size);
    });
    return Answer.json(200, n);
  }

  private Answer workers(Call call) {
    ObjectNode n = Views.object();
    ArrayNode list = n.putArray("workers");
    server.workers().list().forEach(w -> list.add(Views.worker(w)));
    return Answer.json(200, n);
  }

  private Answer dead(Call call) {
    ObjectNode n = Views.object();
    ArrayNode items = n.putArray("items");
    server.deadLetters().forEach(s -> items.add(Views.status(s)));
    return Answer.json(200, n);
  }

  private Answer requeue(Call call) {
    String id = call.param("id");
    server.requeue(id);
    ObjectNode n = Views.object();
    n.put("workId", id);
    return Answer.json(202, n);
  }
}
