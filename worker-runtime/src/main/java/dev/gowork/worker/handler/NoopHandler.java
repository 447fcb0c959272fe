package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;

/** Built-in {@code noop}: completes with a {@code null} result. */
final class NoopHandler implements WorkHandler {
  @Override
  public JsonNode handle(JsonNode data, WorkContext ctx) {
    return null;
  }
}
