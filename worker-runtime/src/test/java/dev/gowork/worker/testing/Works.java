package dev.gowork.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Builds work envelopes for tests. */
public final class Works {
  private Works() {}

  public static ObjectNode data() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** Work created at {@code createdAt}, due {@code timeout} later, attempt 1. */
  public static WorkEnvelope work(String queue, JsonNode data, Instant createdAt, Duration timeout) {
    return new WorkEnvelope(UUID.randomUUID().toString(), queue, 1, 1, timeout.toSeconds(), data, createdAt,
        createdAt.plus(timeout));
  }
}
