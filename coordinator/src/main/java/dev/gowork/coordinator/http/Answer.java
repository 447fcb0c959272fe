package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: a status, a body and its content type, and any extra headers. The JSON
 * body is a tree until the router writes it.
 */
record Answer(int status, JsonNode json, byte[] raw, String contentType, Map<String, String> headers,
    java.util.concurrent.CompletableFuture<Answer> later) {
  static final String JSON = "application/json; charset=utf-8";

  static Answer json(int status, JsonNode body) {
    return new Answer(status, body, null, JSON, Map.of(), null);
  }

  static Answer empty(int status) {
    return new Answer(status, null, new byte[0], null, Map.of(), null);
  }

  static Answer text(int status, String contentType, String body) {
    return new Answer(status, null, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of(), null);
  }

  static Answer bytes(int status, String contentType, byte[] body) {
    return new Answer(status, null, body.clone(), contentType, Map.of(), null);
  }

  Answer withHeader(String name, String value) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new Answer(status, json, raw, contentType, Map.copyOf(h), later);
  }

  /**
   * An answer that is not ready yet: the router writes {@code answer} when it completes, without
   * holding an HTTP thread meanwhile (a long poll).
   */
  static Answer later(java.util.concurrent.CompletableFuture<Answer> answer) {
    return new Answer(0, null, null, null, Map.of(), answer);
  }
}
