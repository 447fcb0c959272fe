package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.auth.WorkerNames;
import dev.gowork.coordinator.work.Progress;
import java.util.List;
import java.util.Optional;

/**
 * The worker side: register, verify (the handshake), and for workers that do not read Kafka, take
 * the next work and submit its result (the seed's {@code Get} and {@code Submit}).
 */
final class WorkerApi {
  private final WorkServer server;
  private final WireCodec codec;
  private final String bootstrapServers;

  WorkerApi(WorkServer server, WireCodec codec, String bootstrapServers) {
    this.server = server;
    this.codec = codec;
    this.bootstrapServers = bootstrapServers;
  }

  List<Route> routes() {
    return List.of(
        new Route("POST", "/v1/workers", Access.PUBLIC, codec, this::register),
        new Route("POST", "/v1/workers/{id}/verify", Access.PUBLIC, codec, this::verify),
        new Route("POST", "/v1/work/next", Access.WORKER, codec, this::next),
        new Route("POST", "/v1/work/{id}/result", Access.WORKER, codec, this::result),
        new Route("POST", "/v1/work/{id}/progress", Access.WORKER, codec, this::progress));
  }

  /** Optional body {@code {"queue", "name"}}: checked; the name is kept with the worker and listed. */
  private Answer register(Call call) {
    JsonNode body = call.optionalJson();
    String name = null;
    if (body != null) {
      if (!body.isObject()) {
        throw new GoWorkException(ErrorCode.MALFORMED, "the body must be a JSON object {\"queue\", \"name\"} or empty");
      }
      for (String field : List.of("queue", "name")) {
        if (body.hasNonNull(field) && !body.get(field).isTextual()) {
          throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' must be a string");
        }
      }
      if (body.hasNonNull("queue")) {
        Topics.validateQueue(body.get("queue").textValue());
      }
      if (body.hasNonNull("name")) {
        name = WorkerNames.check(body.get("name").textValue());
      }
    }
    Registration r = server.workers().register(name);
    ObjectNode n = Views.object();
    n.put("workerId", r.workerId());
    n.put("challenge", r.challenge());
    return Answer.json(201, n);
  }

  private Answer verify(Call call) {
    JsonNode response = call.json().get("response");
    if (response == null || !response.isTextual()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the body must be {\"response\": \"<base64 HMAC>\"}");
    }
    Session s = server.workers().verify(call.param("id"), response.textValue());
    Topics t = server.topics();
    ObjectNode n = Views.object();
    n.put("workerId", s.workerId());
    n.put("sessionKey", s.sessionKey());
    n.put("expiresAt", dev.gowork.broker.wire.WireCodec.timeText(s.expiresAt()));
    ObjectNode kafka = n.putObject("kafka");
    kafka.put("bootstrapServers", bootstrapServers);
    kafka.put("topicPrefix", t.prefix());
    kafka.put("resultsTopic", t.results());
    kafka.put("controlTopic", t.control());
    kafka.put("queuesTopic", t.queues());
    kafka.put("workTopicPattern", t.prefix() + ".work.{queue}");
    kafka.put("shareGroupPattern", t.prefix() + ".workers.{queue}");
    return Answer.json(200, n);
  }

  private Answer next(Call call) {
    String queue = call.query("queue", Topics.DEFAULT_QUEUE);
    Optional<WorkEnvelope> w = server.get(call.header(Router.WORKER_ID_HEADER), call.bearer(), queue);
    return w.map(e -> Answer.json(200, codec.toJson(e))).orElseGet(() -> Answer.empty(204));
  }

  private Answer result(Call call) {
    // The session first: a caller without one learns nothing about what a valid body looks like.
    if (!server.workers().authenticate(call.header(Router.WORKER_ID_HEADER), call.bearer())) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "unknown worker or invalid session");
    }
    ResultEnvelope r = codec.resultFrom(call.json()).orThrow();
    if (!r.workId().equals(call.param("id"))) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the body's workId differs from the work id in the path");
    }
    server.submit(call.header(Router.WORKER_ID_HEADER), call.bearer(), r);
    ObjectNode n = Views.object();
    n.put("workId", r.workId());
    return Answer.json(202, n);
  }

  /** {@code {"attempt", "percent": 0..100, "message"?}}: how far an HTTP worker has got; 202. */
  private Answer progress(Call call) {
    // The session first, as for a result.
    if (!server.workers().authenticate(call.header(Router.WORKER_ID_HEADER), call.bearer())) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "unknown worker or invalid session");
    }
    JsonNode body = call.json();
    JsonNode attempt = body.get("attempt");
    Progress p = Progress.from(body);
    if (attempt == null || !attempt.isIntegralNumber() || !attempt.canConvertToInt() || attempt.intValue() < 1
        || p == null) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the body must be {\"attempt\": <the attempt, from 1>, "
          + "\"percent\": <0 to 100>, \"message\": \"<a few words, optional>\"}");
    }
    String id = call.param("id");
    server.reportProgress(call.header(Router.WORKER_ID_HEADER), call.bearer(), id, attempt.intValue(), p);
    ObjectNode n = Views.object();
    n.put("workId", id);
    return Answer.json(202, n);
  }
}
