package dev.gowork.coordinator.http;

import dev.gowork.broker.wire.WireCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The operator's web page: {@code GET /dashboard} and its script and style sheet, open to anyone since
 * they hold no data. The page reads the producer API in the browser with the token the operator types
 * in (queues, workers, dead letters and their requeue, a work lookup, totals from {@code /metrics}).
 * Served with a content security policy that allows only these files and calls to this origin.
 */
final class DashboardApi {
  static final String PAGE = "/dashboard";
  static final String SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final WireCodec codec;
  private final Answer page;
  private final Answer script;
  private final Answer style;

  DashboardApi(WireCodec codec) {
    this.codec = codec;
    this.page = asset("index.html", "text/html; charset=utf-8");
    this.script = asset("app.js", "text/javascript; charset=utf-8");
    this.style = asset("app.css", "text/css; charset=utf-8");
  }

  List<Route> routes() {
    return List.of(
        new Route("GET", "/", Access.PUBLIC, codec, call -> Answer.empty(302).withHeader("Location", PAGE)),
        new Route("GET", "/favicon.ico", Access.PUBLIC, codec, call -> Answer.empty(204)),
        new Route("GET", PAGE, Access.PUBLIC, codec, call -> page),
        new Route("GET", PAGE + "/app.js", Access.PUBLIC, codec, call -> script),
        new Route("GET", PAGE + "/app.css", Access.PUBLIC, codec, call -> style));
  }

  private static Answer asset(String name, String contentType) {
    String resource = "dashboard/" + name;
    try (InputStream in = DashboardApi.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard file " + resource + " is missing from the coordinator's jar");
      }
      return Answer.bytes(200, contentType, in.readAllBytes())
          .withHeader("Content-Security-Policy", SECURITY_POLICY)
          .withHeader("X-Content-Type-Options", "nosniff")
          .withHeader("Referrer-Policy", "no-referrer");
    } catch (IOException e) {
      throw new UncheckedIOException("reading the dashboard file " + resource, e);
    }
  }
}
