package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.metrics.ServiceMetrics;
import java.util.List;
import java.util.Optional;

/**
 * Liveness, readiness and the Prometheus scrape; open to anyone. Liveness fails only for what a
 * restart mends (the coordinator was fenced, or its results loop died); readiness also when Kafka
 * does not answer.
 */
final class ProbeApi {
  private final Readiness liveness;
  private final Readiness readiness;
  private final ServiceMetrics metrics;
  private final WireCodec codec;

  ProbeApi(Readiness liveness, Readiness readiness, ServiceMetrics metrics, WireCodec codec) {
    this.liveness = liveness;
    this.readiness = readiness;
    this.metrics = metrics;
    this.codec = codec;
  }

  List<Route> routes() {
    return List.of(
        new Route("GET", "/healthz", Access.PUBLIC, codec, call -> up()),
        new Route("GET", "/readyz", Access.PUBLIC, codec, call -> ready()),
        new Route("GET", "/metrics", Access.PUBLIC, codec,
            call -> Answer.text(200, ServiceMetrics.CONTENT_TYPE, metrics.scrape())));
  }

  private Answer up() {
    Optional<String> problem = liveness.problem();
    if (problem.isPresent()) {
      return ErrorAnswers.error(503, ErrorCode.UNAVAILABLE, "not live: " + problem.get());
    }
    ObjectNode n = Views.object();
    n.put("status", "up");
    return Answer.json(200, n);
  }

  private Answer ready() {
    Optional<String> problem = liveness.problem().or(readiness::problem);
    if (problem.isPresent()) {
      return ErrorAnswers.error(503, ErrorCode.UNAVAILABLE, "not ready: " + problem.get());
    }
    ObjectNode n = Views.object();
    n.put("status", "ready");
    return Answer.json(200, n);
  }
}
