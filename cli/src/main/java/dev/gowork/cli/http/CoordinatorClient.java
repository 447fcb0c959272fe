package dev.gowork.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.ConnectFailures;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The producer side of the coordinator's HTTP API, as the cli uses it. Every failure becomes a
 * {@link CliException#failed} whose message says what was called and what the coordinator answered.
 * Answers are read up to {@link #MAX_RESPONSE_BYTES} and parsed under the wire codec's depth limit.
 */
public final class CoordinatorClient {
  /** Largest answer read from the coordinator. */
  public static final int MAX_RESPONSE_BYTES = 64 << 20;
  /**
   * Longest wait for a connection, its TLS handshake included (the JDK client times both with it). A
   * coordinator accepts and shakes hands at once even while busy; long polls wait after this, under the
   * request timeout. An https:// URL to a plain-HTTP coordinator, whose server waits silently for a
   * request line, fails after this.
   */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final URI base;
  private final String apiToken;
  private final String urlSetting;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final WireCodec codec = new WireCodec(MAX_RESPONSE_BYTES);

  /**
   * @param base the coordinator's URL, without a trailing slash
   * @param apiToken sent as {@code Authorization: Bearer}; {@code null} sends none
   * @param urlSetting where {@code base} came from, named in connection errors
   */
  public CoordinatorClient(URI base, String apiToken, String urlSetting, Duration requestTimeout) {
    this(base, apiToken, urlSetting, requestTimeout, null);
  }

  /** @param tls the TLS context for an {@code https://} coordinator; null for the JVM's (its trust store) */
  public CoordinatorClient(URI base, String apiToken, String urlSetting, Duration requestTimeout, SSLContext tls) {
    this(base, apiToken, urlSetting, requestTimeout, tls, CONNECT_TIMEOUT);
  }

  CoordinatorClient(URI base, String apiToken, String urlSetting, Duration requestTimeout, SSLContext tls,
      Duration connectTimeout) {
    this.base = base;
    this.apiToken = apiToken;
    this.urlSetting = urlSetting;
    this.requestTimeout = requestTimeout;
    // A shorter request timeout ends a connect too (the JDK reports that as a connect timeout).
    this.connectTimeout = connectTimeout.compareTo(requestTimeout) < 0 ? connectTimeout : requestTimeout;
    HttpClient.Builder http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(this.connectTimeout);
    if (tls != null) {
      http.sslContext(tls);
    }
    this.http = http.build();
  }

  /** GET a JSON answer; 2xx expected. */
  public JsonNode get(String path) {
    return send("GET", path, null).json();
  }

  /** POST a JSON body (or none); 2xx expected. The answer may be empty ({@code null}). */
  public JsonNode post(String path, JsonNode body) {
    return send("POST", path, body).json();
  }

  /** PUT a JSON body; 2xx expected. The answer may be empty ({@code null}). */
  public JsonNode put(String path, JsonNode body) {
    return send("PUT", path, body).json();
  }

  /** DELETE; 2xx expected. The answer may be empty ({@code null}). */
  public JsonNode delete(String path) {
    return send("DELETE", path, null).json();
  }

  /** True when {@code GET path} answers 200; false on any other status or a refused connection. */
  public boolean answersOk(String path) {
    try {
      return exchange("GET", path, null).status() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A path segment with reserved characters escaped. */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public URI base() {
    return base;
  }

  private Answer send(String method, String path, JsonNode body) {
    Answer a;
    try {
      a = exchange(method, path, body);
    } catch (ConnectException e) {
      throw CliException.failed("cannot reach the coordinator at " + base + " (" + urlSetting + "): "
          + ConnectFailures.describe(e, base.getHost()) + " (is the coordinator running, and is that its address?)", e);
    } catch (HttpConnectTimeoutException e) {
      boolean https = "https".equalsIgnoreCase(base.getScheme());
      // A plain-HTTP server that is sent a TLS hello waits for a request line that never comes: over
      // https://, silence during the handshake is the one sign of it, so say so.
      throw CliException.failed("cannot reach the coordinator at " + base + " (" + urlSetting + "): no connection"
          + (https ? " and TLS handshake" : "") + " within " + seconds(connectTimeout)
          + (https ? " (if that coordinator serves plain HTTP, use http:// in " + urlSetting + ")"
              : " (is it running, and can this machine reach that host and port?)"), e);
    } catch (HttpTimeoutException e) {
      throw CliException.failed(method + " " + base + path + ": no answer within " + seconds(requestTimeout), e);
    } catch (SSLHandshakeException e) {
      String mismatch = TrustedCertificates.hostMismatch(e);
      throw CliException.failed(mismatch != null
          ? "the certificate of the coordinator at " + base + " (" + urlSetting + ") does not match the host name '"
              + base.getHost() + "' (" + mismatch + "): use a host name the certificate names in "
              + urlSetting + ", or have the certificate issued with '" + base.getHost() + "' among its subject "
              + "alternative names" + (TrustedCertificates.isAddress(base.getHost()) ? " (as an IP address entry)" : "")
          : "the TLS handshake with the coordinator at " + base + " (" + urlSetting + ") failed: "
              + TrustedCertificates.reason(e) + "; if its certificate is from a private CA or self-signed, name it in "
              + ProducerSettings.CA_FILE_ENV, e);
    } catch (SSLException e) {
      // The JDK's "Unrecognized SSL message, plaintext connection?": the server answered a TLS hello in plain text.
      throw CliException.failed("the coordinator at " + base + " (" + urlSetting + ") did not answer in TLS ("
          + e.getMessage() + "); if it serves plain HTTP, use http:// in " + urlSetting, e);
    } catch (IOException e) {
      throw CliException.failed(method + " " + base + path + " failed: "
          + (e.getMessage() == null ? "the connection broke" : e.getMessage())
          + " (is " + urlSetting + " the URL of a GoWork coordinator?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed(method + " " + base + path + ": interrupted", e);
    }
    if (a.status() / 100 != 2) {
      throw CliException.failed(method + " " + path + " answered " + a.status() + ": " + a.problem()
          + (a.status() != 401 ? ""
              : apiToken == null ? " (GOWORK_API_TOKEN is not set: set GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE to the "
                  + "coordinator's token)"
              : " (the token from GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE is not this coordinator's: set GOWORK_API_TOKEN "
                  + "or GOWORK_API_TOKEN_FILE to the coordinator's token)"));
    }
    return a;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }


  private Answer exchange(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
        .header("Accept", "application/json");
    if (apiToken != null) {
      b.header("Authorization", "Bearer " + apiToken);
    }
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(codec.write(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
      if (bytes.length > MAX_RESPONSE_BYTES) {
        throw new IOException("answer over " + MAX_RESPONSE_BYTES + " bytes");
      }
      return new Answer(r.statusCode(), bytes, codec);
    }
  }

  private record Answer(int status, byte[] body, WireCodec codec) {
    JsonNode json() {
      if (body.length == 0) {
        return null;
      }
      Decoded<JsonNode> d = codec.parse(body);
      if (!d.isOk()) {
        throw CliException.failed("the coordinator answered " + status + " with a body that is not JSON: "
            + d.error().message());
      }
      return d.value();
    }

    String problem() {
      Decoded<JsonNode> d = body.length == 0 ? null : codec.parse(body);
      if (d != null && d.isOk() && d.value().hasNonNull("error")) {
        JsonNode n = d.value();
        return n.get("error").asText() + (n.hasNonNull("code") ? " (" + n.get("code").asText() + ")" : "");
      }
      String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "(no body)" : text;
    }
  }
}
