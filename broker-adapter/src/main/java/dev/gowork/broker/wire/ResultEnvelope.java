package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The outcome of one attempt: the value of {@code <p>.results} records and the body of
 * {@code POST /v1/work/{id}/result}. JSON: {@code {"schema":"gowork.result/v1","workId","attempt",
 * "status","result","error","workerId","durationMs"}}; {@code schema}, {@code workerId} and
 * {@code durationMs} are optional on input.
 *
 * @param result any JSON value, or {@code null}
 * @param error a message when the attempt failed, or {@code null}
 * @param workerId the worker that ran it, or {@code null} when the input did not say
 * @param durationMs how long the handler ran, or {@code -1} when unknown
 */
public record ResultEnvelope(
    String workId, int attempt, ResultStatus status, JsonNode result, String error, String workerId, long durationMs) {

  public static final String SCHEMA = "gowork.result/v1";

  public ResultEnvelope {
    Objects.requireNonNull(workId, "workId");
    Objects.requireNonNull(status, "status");
  }
}
