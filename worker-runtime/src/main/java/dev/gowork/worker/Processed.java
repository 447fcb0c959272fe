package dev.gowork.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.wire.WorkEnvelope;
import java.util.Objects;

/**
 * What {@link Worker#process(WorkEnvelope)} hands back: the work itself and its data, ready for the
 * caller's own code (the seed's {@code w, workdata, err := Worker.Process(w)}).
 *
 * @param work the work as received
 * @param data the work's data (any JSON value; JSON {@code null} when the producer sent none)
 */
public record Processed(WorkEnvelope work, JsonNode data) {
  public Processed {
    Objects.requireNonNull(work, "work");
    Objects.requireNonNull(data, "data");
  }
}
