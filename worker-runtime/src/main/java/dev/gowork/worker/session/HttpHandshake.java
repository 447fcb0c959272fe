package dev.gowork.worker.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ConnectFailures;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake over the coordinator's HTTP API: {@code POST /v1/workers} for an id and a challenge,
 * then {@code POST /v1/workers/{id}/verify} with the HMAC response for the session key.
 *
 * <p>Failure modes: connection errors and 5xx answers are {@code UNAVAILABLE}, 429 is
 * {@code RATE_LIMITED} (both worth a retry); 401/403 are {@code UNAUTHENTICATED}, with a message that
 * points at {@code GOWORK_SECRET}; anything else unexpected is {@code INVALID_ARGUMENT} pointing at
 * {@code GOWORK_COORDINATOR_URL}. Answers are read up to 64 KiB. Thread-safe.
 */
public final class HttpHandshake implements Handshake {
  private static final Logger LOG = LoggerFactory.getLogger(HttpHandshake.class);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + WireCodec.MAX_ID_LENGTH + "}");

  private final String baseUrl;
  private final SharedSecret secret;
  private final String queue;
  private final String name;
  private final Clock clock;
  private final HttpClient http;
  private final WireCodec codec = new WireCodec(MAX_ANSWER_BYTES);

  /**
   * @param coordinatorUrl e.g. {@code http://127.0.0.1:8080}
   * @param queue the queue this worker serves (told to the coordinator on registration)
   * @param name a human-readable name for this replica (e.g. host and pid)
   */
  public HttpHandshake(URI coordinatorUrl, SharedSecret secret, String queue, String name, Clock clock) {
    this(coordinatorUrl, secret, queue, name, clock, null);
  }

  /**
   * @param tls the client's TLS context for an {@code https://} URL, e.g. one that trusts a private
   *     CA; null for the JVM's default (its trust store)
   */
  public HttpHandshake(URI coordinatorUrl, SharedSecret secret, String queue, String name, Clock clock,
      SSLContext tls) {
    String url = Objects.requireNonNull(coordinatorUrl, "coordinatorUrl").toString();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.secret = Objects.requireNonNull(secret, "secret");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.name = Objects.requireNonNull(name, "name");
    this.clock = Objects.requireNonNull(clock, "clock");
    HttpClient.Builder http = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      http.sslContext(tls);
    }
    this.http = http.build();
  }

  @Override
  public Session authenticate() {
    ObjectNode registration = codec.mapper().createObjectNode().put("queue", queue).put("name", name);
    JsonNode registered = post("/v1/workers", registration, "register");
    String workerId = text(registered, "workerId", "register");
    String challenge = text(registered, "challenge", "register");
    if (!WORKER_ID.matcher(workerId).matches() || challenge.length() > 1024) {
      throw unexpected("register", "a malformed workerId or challenge");
    }
    // The coordinator proves it holds the secret before the worker answers: a server that does not
    // (a wrong address, or one in the middle) gets no answer to relay and no session to hand out.
    if (!Signatures.checkChallenge(secret, workerId, challenge)) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "the challenge from " + baseUrl + " was not made with "
          + "this worker's GOWORK_SECRET: the secrets differ, or that is not a GoWork coordinator; not answering it");
    }
    LOG.info("registered with {} as {}", baseUrl, workerId);

    String response = Signatures.verifyResponse(secret, workerId, challenge);
    ObjectNode verification = codec.mapper().createObjectNode().put("response", response);
    JsonNode verified = post("/v1/workers/" + URLEncoder.encode(workerId, StandardCharsets.UTF_8) + "/verify",
        verification, "verify");
    Session session = session(workerId, verified);
    LOG.info("verified {}; session expires at {}", workerId, session.expiresAt());
    return session;
  }

  private Session session(String workerId, JsonNode answer) {
    String key = text(answer, "sessionKey", "verify");
    if (!isBase64(key)) {
      throw unexpected("verify", "a sessionKey that is not base64");
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(text(answer, "expiresAt", "verify"));
    } catch (DateTimeParseException e) {
      throw unexpected("verify", "an expiresAt that is not an ISO-8601 time");
    }
    JsonNode kafka = answer.path("kafka");
    return new Session(workerId, key, clock.instant(), expiresAt,
        optionalText(kafka, "bootstrapServers"), optionalText(kafka, "topicPrefix"));
  }

  private JsonNode post(String path, JsonNode body, String step) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(codec.write(body)))
        .build();
    int status;
    byte[] answer;
    try {
      HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = r.statusCode();
      try (InputStream in = r.body()) {
        answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
      }
    } catch (SSLHandshakeException e) {
      // A certificate this worker does not trust will not become trusted by retrying.
      String mismatch = TrustedCertificates.hostMismatch(e);
      String host = URI.create(baseUrl).getHost();
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, mismatch != null
          ? "the certificate of the coordinator at " + baseUrl + " does not match the host name '" + host + "' ("
              + mismatch + "): use a host name the certificate names in GOWORK_COORDINATOR_URL, or have the "
              + "certificate issued with '" + host + "' among its subject alternative names"
              + (TrustedCertificates.isAddress(host) ? " (as an IP address entry)" : "")
          : "the TLS handshake with the coordinator at " + baseUrl + " failed (" + step + "): "
              + TrustedCertificates.reason(e) + "; if its certificate is from a private CA or self-signed, name it in "
              + "GOWORK_COORDINATOR_CA_FILE", e);
    } catch (IOException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE,
          "the coordinator at " + baseUrl + " is not reachable (" + step + "): " + whatHappened(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while talking to the coordinator", e);
    }
    if (status == 401 || status == 403) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED, "the coordinator at " + baseUrl + " refused to "
          + step + " this worker (HTTP " + status + "): check that GOWORK_SECRET (or GOWORK_SECRET_FILE) "
          + "holds the coordinator's shared secret");
    }
    if (status == 429) {
      throw new GoWorkException(ErrorCode.RATE_LIMITED, "the coordinator at " + baseUrl + " rate-limits " + step);
    }
    if (status >= 500) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE,
          "the coordinator at " + baseUrl + " answered " + step + " with HTTP " + status + errorOf(answer));
    }
    if (status != 200 && status != 201) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the coordinator at " + baseUrl + " answered " + step
          + " with HTTP " + status + errorOf(answer) + "; check GOWORK_COORDINATOR_URL");
    }
    if (answer.length > MAX_ANSWER_BYTES) {
      throw unexpected(step, "an answer over " + MAX_ANSWER_BYTES + " bytes");
    }
    Decoded<JsonNode> json = codec.parse(answer);
    if (!json.isOk() || !json.value().isObject()) {
      throw unexpected(step, "an answer that is not a JSON object");
    }
    return json.value();
  }

  /** A failed exchange in words, as the gowork command's CoordinatorClient says it, and what to check. */
  private String whatHappened(IOException e) {
    URI url = URI.create(baseUrl);
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    if (e instanceof ConnectException c) {
      return ConnectFailures.describe(c, url.getHost()) + (ConnectFailures.unresolved(e)
          ? " (check GOWORK_COORDINATOR_URL)"
          : " (is the coordinator running, and is GOWORK_COORDINATOR_URL its address?)");
    }
    if (e instanceof HttpConnectTimeoutException) {
      // A plain-HTTP server sent a TLS hello waits for a request line that never comes.
      return "no connection" + (https ? " and TLS handshake" : "") + " within " + CONNECT_TIMEOUT.toSeconds() + " s"
          + (https ? " (if that coordinator serves plain HTTP, use http:// in GOWORK_COORDINATOR_URL)"
              : " (is it running, and can this machine reach that host and port?)");
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
    }
    return (e.getMessage() == null ? "the connection broke" : e.getMessage())
        + " (is GOWORK_COORDINATOR_URL the URL of a GoWork coordinator?)";
  }


  private String errorOf(byte[] answer) {
    Decoded<JsonNode> json = answer.length > MAX_ANSWER_BYTES ? null : codec.parse(answer);
    String error = json != null && json.isOk() ? optionalText(json.value(), "error") : null;
    if (error == null) {
      return "";
    }
    return ": " + (error.length() > 200 ? error.substring(0, 200) + "…" : error);
  }

  private GoWorkException unexpected(String step, String what) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the coordinator at " + baseUrl + " answered " + step
        + " with " + what + "; check GOWORK_COORDINATOR_URL");
  }

  private String text(JsonNode node, String field, String step) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.textValue().isBlank()) {
      throw unexpected(step, "no '" + field + "'");
    }
    return v.textValue();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
  }

  private static boolean isBase64(String s) {
    try {
      return Base64.getDecoder().decode(s).length >= 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "HttpHandshake[" + baseUrl + "]";
  }
}
