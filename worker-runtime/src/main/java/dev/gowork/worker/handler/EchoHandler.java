package dev.gowork.worker.handler;

import com.fasterxml.jackson.databind.JsonNode;

/** Built-in {@code echo}: the result is the work's data. */
final class EchoHandler implements WorkHandler {
  @Override
  public JsonNode handle(JsonNode data, WorkContext ctx) {
    return data;
  }
}
