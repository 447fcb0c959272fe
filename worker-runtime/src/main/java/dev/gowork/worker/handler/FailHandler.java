package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;

/** Built-in {@code fail}: always fails, with {@code data.message} as the error when given. */
final class FailHandler implements WorkHandler {
  static final String DEFAULT_MESSAGE = "failed on purpose (built-in handler 'fail')";

  @Override
  public JsonNode handle(JsonNode data, WorkContext ctx) {
    JsonNode message = data == null ? null : data.get("message");
    throw new IntentionalFailure(message != null && message.isTextual() ? message.textValue() : DEFAULT_MESSAGE);
  }

  /** The failure this handler raises. */
  static final class IntentionalFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IntentionalFailure(String message) {
      super(message, null, false, false);
    }
  }
}
