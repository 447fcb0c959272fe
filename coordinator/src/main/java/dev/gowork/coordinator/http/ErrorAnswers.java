package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.coordinator.ClosingException;
import dev.gowork.coordinator.queue.FullShareGroupException;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a handler threw into {@code {"error": "...", "code": "..."}}. A {@link GoWorkException}
 * keeps its message and code; anything else is a 500 whose stack trace goes to the server log only.
 */
final class ErrorAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswers.class);
  static final String RETRY_AFTER_SECONDS = "10";

  private ErrorAnswers() {}

  static Answer of(RuntimeException e, String request) {
    if (e instanceof GoWorkException g) {
      return of(g, request);
    }
    if (e instanceof KafkaException) {
      LOG.warn("{}: Kafka failed: {}", request, e.toString());
      return error(503, ErrorCode.UNAVAILABLE, "Kafka did not answer; try again later")
          .withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    LOG.error("{} failed", request, e);
    return internal();
  }

  private static Answer of(GoWorkException e, String request) {
    ErrorCode code = e.code();
    if (code == ErrorCode.INTERNAL) {
      LOG.error("{} failed", request, e);
      return internal();
    }
    // A refusal at close is no failure: the service logs how many there were once, as it closes. A full
    // share group is logged once by TakeNextWork, not at every call it refuses.
    if (code.httpStatus() >= 500 && !(e instanceof ClosingException) && !(e instanceof FullShareGroupException)) {
      LOG.warn("{}: {}", request, e.getMessage());
    }
    Answer a = error(code.httpStatus(), code, e.getMessage() == null ? code.wireName() : e.getMessage());
    if (code == ErrorCode.RATE_LIMITED || code == ErrorCode.UNAVAILABLE) {
      a = a.withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    if (code == ErrorCode.UNAUTHENTICATED) {
      a = a.withHeader("WWW-Authenticate", "Bearer");
    }
    return a;
  }

  static Answer internal() {
    return error(500, ErrorCode.INTERNAL, "internal error");
  }

  /** An error body with an explicit status (405 has no code of its own and uses {@code invalid_argument}). */
  static Answer error(int status, ErrorCode code, String message) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("error", message);
    n.put("code", code.wireName());
    return Answer.json(status, n);
  }
}
