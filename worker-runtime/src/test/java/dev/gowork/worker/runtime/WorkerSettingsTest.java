package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerSettingsTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("GOWORK_SECRET", SECRET);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    WorkerSettings s = WorkerSettings.fromEnv(env());
    assertEquals(URI.create("http://127.0.0.1:8080"), s.coordinatorUrl());
    assertEquals("default", s.queue());
    assertEquals(WorkerSettings.defaultConcurrency(), s.concurrency());
    assertEquals(Duration.ofSeconds(30), s.shutdownGrace());
    assertEquals(Optional.empty(), s.bootstrapServers());
    assertEquals(Optional.empty(), s.topicPrefix());
    assertEquals(Optional.empty(), s.handler());
    assertEquals(5, s.deliveryLimit());
  }

  @Test
  void aWorkerNameThatIsNotTheTextItLooksLikeIsRefusedAtStart() {
    assertEquals("eu-web-1", WorkerSettings.fromEnv(env("GOWORK_WORKER_NAME", "eu-web-1")).workerName());
    GoWorkException e = assertThrows(GoWorkException.class,
        () -> WorkerSettings.fromEnv(env("GOWORK_WORKER_NAME", "web\u202E1")));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("GOWORK_WORKER_NAME"), e.getMessage());
  }

  @Test
  void environmentVariablesAreRead() {
    WorkerSettings s = WorkerSettings.fromEnv(env("GOWORK_COORDINATOR_URL", "https://c.example:9443",
        "GOWORK_QUEUE", "emails", "GOWORK_HANDLER", "echo", "GOWORK_CONCURRENCY", "7",
        "GOWORK_BOOTSTRAP_SERVERS", "k1:9092,k2:9092", "GOWORK_TOPIC_PREFIX", "acme.gw",
        "GOWORK_SHUTDOWN_GRACE_SECONDS", "5", "GOWORK_KAFKA_SECURITY_PROTOCOL", "SSL",
        "GOWORK_SHARE_LOCK_SECONDS", "15", "GOWORK_SHARE_HEARTBEAT_MS", "500"));
    assertEquals("emails", s.queue());
    assertEquals(Optional.of("echo"), s.handler());
    assertEquals(7, s.concurrency());
    assertEquals(Optional.of("k1:9092,k2:9092"), s.bootstrapServers());
    assertEquals(Optional.of("acme.gw"), s.topicPrefix());
    assertEquals(Duration.ofSeconds(5), s.shutdownGrace());
    assertEquals(Map.of("security.protocol", "SSL"), s.kafka());
    assertEquals(Duration.ofSeconds(15), s.lockDuration());
    assertEquals(Optional.of(Duration.ofMillis(500)), s.heartbeatInterval());
  }

  @Test
  void kafkaPropertiesComeFromTheNamedFileWithTheVariablesOverIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SSL\nssl.truststore.type=PEM\n");
    WorkerSettings s = WorkerSettings.fromEnv(env("GOWORK_KAFKA_PROPERTIES_FILE", file.toString(),
        "GOWORK_KAFKA_SSL_TRUSTSTORE_TYPE", "JKS"));
    assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.type", "JKS"), s.kafka());

    String missing = dir.resolve("missing.properties").toString();
    GoWorkException e = assertThrows(GoWorkException.class,
        () -> WorkerSettings.fromEnv(env("GOWORK_KAFKA_PROPERTIES_FILE", missing)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("GOWORK_KAFKA_PROPERTIES_FILE (--kafka-properties-file) must be a readable"),
        e.getMessage());
  }

  @Test
  void badValuesAreRefusedNamingTheSettingAndValue() {
    String[][] cases = {
        {"GOWORK_CONCURRENCY", "0"}, {"GOWORK_CONCURRENCY", "many"}, {"GOWORK_CONCURRENCY", "100000000000"},
        {"GOWORK_QUEUE", "no spaces"}, {"GOWORK_COORDINATOR_URL", "ftp://x"}, {"GOWORK_COORDINATOR_URL", "::"},
        {"GOWORK_TOPIC_PREFIX", "a..b"}, {"GOWORK_SHUTDOWN_GRACE_SECONDS", "-1"}, {"GOWORK_SHARE_DELIVERY_LIMIT", "1"},
        {"GOWORK_SHARE_LOCK_SECONDS", "0"}, {"GOWORK_HANDSHAKE_ATTEMPTS", "0"}};
    for (String[] c : cases) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> WorkerSettings.fromEnv(env(c[0], c[1])),
          c[0] + "=" + c[1]);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith(c[0]), e.getMessage());
      assertTrue(e.getMessage().contains(c[1].length() > 10 ? c[1].substring(0, 10) : c[1]), e.getMessage());
    }
  }

  /** Checked as the coordinator checks it; before, only blanks and spaces were refused, so a typo failed after the handshake. */
  @Test
  void aMalformedBootstrapServersListIsRefusedAtStartNamingTheSetting() {
    assertEquals(Optional.of("kafka-1:9092, kafka-2:9092"),
        WorkerSettings.fromEnv(env("GOWORK_BOOTSTRAP_SERVERS", "kafka-1:9092, kafka-2:9092")).bootstrapServers());
    assertEquals(Optional.of("[::1]:9092"), WorkerSettings.fromEnv(env("GOWORK_BOOTSTRAP_SERVERS", "[::1]:9092"))
        .bootstrapServers());
    for (String bad : new String[] {"kafka", "kafka:abc", "kafka:0", "kafka:70000", ",", "kafka:9092;kafka-2:9092"}) {
      GoWorkException e = assertThrows(GoWorkException.class,
          () -> WorkerSettings.fromEnv(env("GOWORK_BOOTSTRAP_SERVERS", bad)), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith("GOWORK_BOOTSTRAP_SERVERS (--bootstrap-servers) must be host:port"),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void theSecretComesFromTheEnvironmentOrAFileAndIsNeverShown(@TempDir Path dir) throws Exception {
    Map<String, String> none = new HashMap<>();
    GoWorkException missing = assertThrows(GoWorkException.class, () -> WorkerSettings.fromEnv(none));
    assertTrue(missing.getMessage().contains("GOWORK_SECRET"), missing.getMessage());
    GoWorkException shortOne = assertThrows(GoWorkException.class,
        () -> WorkerSettings.fromEnv(Map.of("GOWORK_SECRET", "short")));
    assertTrue(shortOne.getMessage().contains("GOWORK_SECRET"), shortOne.getMessage());
    Path file = Files.writeString(dir.resolve("secret"), SECRET + "\n");
    WorkerSettings s = WorkerSettings.fromEnv(Map.of("GOWORK_SECRET_FILE", file.toString()));
    assertFalse(s.toString().contains(SECRET));
  }
}
