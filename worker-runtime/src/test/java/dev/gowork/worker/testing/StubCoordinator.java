package dev.gowork.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A tiny coordinator over real HTTP for worker tests: {@code POST /v1/workers} and
 * {@code POST /v1/workers/{id}/verify} exactly as the contract says, checking the response with the
 * real HMAC and deriving session keys with the contract's formula. It knows nothing else.
 */
public final class StubCoordinator implements AutoCloseable {
  private final SharedSecret secret;
  private final String rawSecret;
  private final HttpServer server;
  private final WireCodec codec = WireCodec.defaults();
  private final Map<String, String> challenges = new ConcurrentHashMap<>();
  private final Map<String, String> sessionKeys = new ConcurrentHashMap<>();
  private final AtomicInteger registrations = new AtomicInteger();
  private final AtomicInteger verifications = new AtomicInteger();
  private final AtomicInteger unavailableAnswers = new AtomicInteger();
  private volatile String bootstrapServers;
  private volatile String topicPrefix;
  private volatile Duration sessionLife = Duration.ofHours(1);
  private volatile boolean forgedChallenges;

  public StubCoordinator(String secret, String bootstrapServers, String topicPrefix) throws IOException {
    this(secret, bootstrapServers, topicPrefix, null);
  }

  /** A stub that serves HTTPS with {@code tls} (or HTTP when null). */
  public StubCoordinator(String secret, String bootstrapServers, String topicPrefix, SSLContext tls) throws IOException {
    this.rawSecret = secret;
    this.secret = SharedSecret.of(secret);
    this.bootstrapServers = bootstrapServers;
    this.topicPrefix = topicPrefix;
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls != null) {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    } else {
      server = HttpServer.create(address, 0);
    }
    server.createContext("/v1/workers", this::handle);
    server.start();
  }

  public URI url() {
    return URI.create((server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:"
        + server.getAddress().getPort());
  }

  /** Answers registrations with random challenges, as a server without the secret would. */
  public StubCoordinator forgeChallenges() {
    forgedChallenges = true;
    return this;
  }

  /** Verifications that reached this stub (answered or not). */
  public int verifications() {
    return verifications.get();
  }

  /** Sessions issued from now on last this long. */
  public StubCoordinator sessionLife(Duration life) {
    sessionLife = life;
    return this;
  }

  /** The next {@code n} requests are answered 503, as a coordinator that is still starting. */
  public StubCoordinator unavailableFor(int n) {
    unavailableAnswers.set(n);
    return this;
  }

  /** How many 503 answers are still to come. */
  public int pendingUnavailable() {
    return unavailableAnswers.get();
  }

  public int registrations() {
    return registrations.get();
  }

  /** The session key issued to a worker id, or null. */
  public String sessionKey(String workerId) {
    return sessionKeys.get(workerId);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (unavailableAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer(ex, 503, error("starting", "unavailable"));
        return;
      }
      String path = ex.getRequestURI().getPath();
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(64 * 1024);
      }
      if (!"POST".equals(ex.getRequestMethod())) {
        answer(ex, 405, error("POST only", "invalid_argument"));
      } else if (path.equals("/v1/workers")) {
        register(ex);
      } else if (path.startsWith("/v1/workers/") && path.endsWith("/verify")) {
        verify(ex, path.substring("/v1/workers/".length(), path.length() - "/verify".length()), body);
      } else {
        answer(ex, 404, error("no such call", "not_found"));
      }
    } catch (Exception e) {
      answer(ex, 500, error("stub failed: " + e, "internal"));
    }
  }

  private void register(HttpExchange ex) throws IOException {
    String id = "w-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String challenge = forgedChallenges ? Signatures.randomToken() : Signatures.challenge(secret, id);
    challenges.put(id, challenge);
    registrations.incrementAndGet();
    answer(ex, 201, codec.mapper().createObjectNode().put("workerId", id).put("challenge", challenge));
  }

  private void verify(HttpExchange ex, String id, byte[] body) throws Exception {
    verifications.incrementAndGet();
    Decoded<JsonNode> json = codec.parse(body);
    String response = json.isOk() ? json.value().path("response").asText(null) : null;
    String challenge = challenges.remove(id);
    if (challenge == null || !Signatures.checkVerifyResponse(secret, id, challenge, response)) {
      answer(ex, 401, error("verification failed", "unauthenticated"));
      return;
    }
    Instant expiresAt = Instant.now().plus(sessionLife);
    String key = IndependentHmac.sessionKey(rawSecret, id, Signatures.randomToken(), expiresAt.toEpochMilli());
    sessionKeys.put(id, key);
    ObjectNode answer = codec.mapper().createObjectNode().put("workerId", id).put("sessionKey", key)
        .put("expiresAt", expiresAt.toString());
    answer.putObject("kafka").put("bootstrapServers", bootstrapServers).put("topicPrefix", topicPrefix)
        .put("resultsTopic", topicPrefix + ".results").put("workTopicPattern", topicPrefix + ".work.{queue}")
        .put("shareGroupPattern", topicPrefix + ".workers.{queue}");
    answer(ex, 200, answer);
  }

  private ObjectNode error(String message, String code) {
    return codec.mapper().createObjectNode().put("error", message).put("code", code);
  }

  private void answer(HttpExchange ex, int status, JsonNode json) throws IOException {
    byte[] bytes = codec.write(json);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
