package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as a handler sees it: path parameters, query parameters, headers, and the body read
 * under the route's limit (its codec's record limit) (at most limit + 1 bytes are ever read) and parsed with the wire codec's
 * depth limit. Any content type is accepted as long as the body is JSON.
 */
final class Call {
  private final HttpExchange exchange;
  private final Route route;
  private final Map<String, String> params;

  Call(HttpExchange exchange, Route route, Map<String, String> params) {
    this.exchange = exchange;
    this.route = route;
    this.params = params;
  }

  String param(String name) {
    return params.get(name);
  }

  /** A query parameter, or {@code fallback} when absent; the last one wins when repeated. */
  String query(String name, String fallback) {
    String raw = exchange.getRequestURI().getRawQuery();
    String value = fallback;
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq), false);
        if (key.equals(name)) {
          value = eq < 0 ? "" : decode(pair.substring(eq + 1), false);
        }
      }
    }
    return value;
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** The token of {@code Authorization: Bearer <token>}, or {@code null}. */
  String bearer() {
    String h = header("Authorization");
    if (h == null || h.length() < 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    String token = h.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /**
   * The body as JSON.
   *
   * @throws GoWorkException TOO_LARGE over the route's limit; MALFORMED when empty, not JSON or nested too deep
   */
  JsonNode json() {
    JsonNode n = optionalJson();
    if (n == null) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the request body is empty; expected a JSON object");
    }
    return n;
  }

  /** The body as JSON, or {@code null} when there is none; see {@link #json()}. */
  JsonNode optionalJson() {
    byte[] body = body();
    if (body.length == 0) {
      return null;
    }
    return route.codec().parse(body).orThrow();
  }

  private byte[] body() {
    int limit = route.codec().maxRecordBytes();
    String length = header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > limit) {
          throw tooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw new GoWorkException(ErrorCode.MALFORMED, "the Content-Length header is not a number");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw tooLarge(limit);
      }
      return body;
    } catch (IOException e) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the request body could not be read");
    }
  }

  private static GoWorkException tooLarge(int limit) {
    return new GoWorkException(ErrorCode.TOO_LARGE, "the request body is over the limit of " + limit + " bytes");
  }

  /** A raw path split into decoded segments, without the leading slash: {@code /v1/work/a%20b} gives [v1, work, a b]. */
  static List<String> split(String rawPath) {
    List<String> out = new ArrayList<>();
    String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    for (String seg : p.split("/", -1)) {
      out.add(decode(seg, true));
    }
    return out;
  }

  private static String decode(String s, boolean pathSegment) {
    try {
      return URLDecoder.decode(pathSegment ? s.replace("+", "%2B") : s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new GoWorkException(ErrorCode.MALFORMED, "the request URI has an invalid %-escape");
    }
  }
}
