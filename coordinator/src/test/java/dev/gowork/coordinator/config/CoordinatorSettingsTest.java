package dev.gowork.coordinator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.TestCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CoordinatorSettingsTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
  private static final String TOKEN = "producer-token-0123456789";

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("GOWORK_SECRET", SECRET, "GOWORK_API_TOKEN", TOKEN));
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        env.remove(pairs[i]);
      } else {
        env.put(pairs[i], pairs[i + 1]);
      }
    }
    return env;
  }

  private static String error(Map<String, String> env, String... args) {
    GoWorkException e = assertThrows(GoWorkException.class, () -> CoordinatorSettings.parse(env, args));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  @Test
  void defaultsNeedOnlyTheTwoSecretsAndStartEmbeddedKafkaOnLoopback() {
    CoordinatorSettings s = CoordinatorSettings.parse(env());
    assertEquals(Optional.empty(), s.bootstrapServers());
    assertEquals("127.0.0.1", s.httpHost());
    assertEquals(8080, s.httpPort());
    assertEquals(9092, s.embeddedKafkaPort());
    assertEquals(Path.of(".gowork").toAbsolutePath().normalize(), s.dataDir());
    assertEquals("gowork", s.topics().prefix());
    assertEquals("0", s.instanceId());
    assertEquals(16, s.httpThreads());
    assertEquals(1 << 20, s.maxBodyBytes());
    assertEquals(16 << 20, s.maxBatchBodyBytes());
    assertEquals(Duration.ofHours(1), s.sessionTtl());
    assertEquals(Duration.ofSeconds(30), s.shareGroup().lockDuration());
    assertEquals(Optional.empty(), s.shareGroup().heartbeatInterval());
    assertEquals(TOKEN, s.apiToken());
  }

  @Test
  void anExternalKafkaMakesTheApiListenOnAllInterfacesUnlessToldOtherwise() {
    assertEquals("0.0.0.0", CoordinatorSettings.parse(env("GOWORK_BOOTSTRAP_SERVERS", "kafka:9092")).httpHost());
    assertEquals("10.0.0.5", CoordinatorSettings.parse(env("GOWORK_BOOTSTRAP_SERVERS", "kafka:9092",
        "GOWORK_HTTP_HOST", "10.0.0.5")).httpHost());
  }

  @Test
  void aMalformedBootstrapServersListIsNamedBeforeAnyKafkaClientIsMade() {
    assertEquals(Optional.of("kafka-1:9092, kafka-2:9092"),
        CoordinatorSettings.parse(env("GOWORK_BOOTSTRAP_SERVERS", "kafka-1:9092, kafka-2:9092")).bootstrapServers());
    assertEquals(Optional.of("[::1]:9092"),
        CoordinatorSettings.parse(env("GOWORK_BOOTSTRAP_SERVERS", "[::1]:9092")).bootstrapServers());
    for (String bad : new String[] {"not a host", "kafka", "kafka:abc", "kafka:0", "kafka:70000", ","}) {
      String m = error(env("GOWORK_BOOTSTRAP_SERVERS", bad));
      assertTrue(m.startsWith("GOWORK_BOOTSTRAP_SERVERS (--bootstrap-servers) must be host:port"), m);
      assertTrue(m.endsWith("'" + bad + "'"), m);
    }
    assertTrue(error(env(), "--bootstrap-servers=kafka").startsWith("--bootstrap-servers (GOWORK_BOOTSTRAP_SERVERS) "));
  }

  @Test
  void flagsWinOverEnvVarsWhichWinOverDefaults() {
    Map<String, String> env = env("GOWORK_HTTP_PORT", "9100", "GOWORK_TOPIC_PREFIX", "fromenv");
    CoordinatorSettings s = CoordinatorSettings.parse(env, "--http-port", "9000");
    assertEquals(9000, s.httpPort());
    assertEquals("fromenv", s.topics().prefix());
    assertEquals(3, s.workPartitions());
  }

  @Test
  void blankEnvVarsCountAsUnset() {
    assertEquals(8080, CoordinatorSettings.parse(env("GOWORK_HTTP_PORT", "  ")).httpPort());
  }

  @Test
  void aMissingOrShortSecretIsNamed() {
    assertTrue(error(env("GOWORK_SECRET", null)).contains("GOWORK_SECRET or GOWORK_SECRET_FILE must be set"));
    String m = error(env("GOWORK_SECRET", "too-short"));
    assertTrue(m.startsWith("GOWORK_SECRET: ") && m.contains("32"), m);
    assertFalse(m.contains("too-short"), "the message must not repeat the secret: " + m);
  }

  @Test
  void secretsMayComeFromFiles(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("secret"), SECRET + "\n");
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    CoordinatorSettings s = CoordinatorSettings.parse(env("GOWORK_SECRET", null, "GOWORK_SECRET_FILE", secret.toString(),
        "GOWORK_API_TOKEN", null, "GOWORK_API_TOKEN_FILE", token.toString()));
    assertEquals(TOKEN, s.apiToken());
    String m = error(env("GOWORK_API_TOKEN", null, "GOWORK_API_TOKEN_FILE", dir.resolve("absent").toString()));
    assertTrue(m.startsWith("GOWORK_API_TOKEN_FILE names a file that cannot be read"), m);
  }

  @Test
  void aMissingShortOrUnprintableApiTokenIsNamed() {
    assertTrue(error(env("GOWORK_API_TOKEN", null)).contains("GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE must be set"));
    String m = error(env("GOWORK_API_TOKEN", "short"));
    assertTrue(m.startsWith("GOWORK_API_TOKEN: ") && m.contains("16"), m);
    assertTrue(error(env("GOWORK_API_TOKEN", "has a space in it, long enough")).startsWith("GOWORK_API_TOKEN: "));
  }

  @Test
  void badNumbersNameTheSettingAsGivenAndTheValue() {
    assertEquals("GOWORK_HTTP_PORT (--http-port) must be an integer from 0 to 65535, was 'abc'",
        error(env("GOWORK_HTTP_PORT", "abc")));
    assertEquals("--http-port (GOWORK_HTTP_PORT) must be from 0 to 65535, was '70000'",
        error(env(), "--http-port=70000"));
    assertTrue(error(env("GOWORK_EMBEDDED_KAFKA_PORT", "-1")).startsWith("GOWORK_EMBEDDED_KAFKA_PORT "));
    assertTrue(error(env("GOWORK_HTTP_THREADS", "0")).startsWith("GOWORK_HTTP_THREADS "));
    assertTrue(error(env("GOWORK_SESSION_TTL_SECONDS", "5")).startsWith("GOWORK_SESSION_TTL_SECONDS "));
    assertTrue(error(env("GOWORK_SHARE_DELIVERY_LIMIT", "1")).startsWith("GOWORK_SHARE_DELIVERY_LIMIT "));
    String m = error(env("GOWORK_MAX_BODY_BYTES", "4096", "GOWORK_MAX_BATCH_BODY_BYTES", "2048"));
    assertTrue(m.startsWith("GOWORK_MAX_BATCH_BODY_BYTES ") && m.contains("4096") && m.endsWith("'2048'"), m);
  }

  @Test
  void handlersRunAtCommitUnlessToldToRunAtApply() {
    assertEquals("commit", CoordinatorSettings.parse(env()).runHandlersAt());
    assertEquals("apply", CoordinatorSettings.parse(env("GOWORK_RUN_HANDLERS_AT", "apply")).runHandlersAt());
    assertEquals("apply", CoordinatorSettings.parse(env(), "--run-handlers-at", "apply").runHandlersAt());
    assertEquals("GOWORK_RUN_HANDLERS_AT (--run-handlers-at) must be commit or apply, was 'soon'",
        error(env("GOWORK_RUN_HANDLERS_AT", "soon")));
  }

  @Test
  void finishedWorkIsKeptForAnHourOrTheLast100000Items() {
    CoordinatorSettings s = CoordinatorSettings.parse(env());
    assertEquals(Duration.ofHours(1), s.finishedRetention());
    assertEquals(100_000, s.finishedMaxItems());
    s = CoordinatorSettings.parse(env("GOWORK_FINISHED_MAX_ITEMS", "0"), "--finished-retention-seconds", "60");
    assertEquals(Duration.ofMinutes(1), s.finishedRetention());
    assertEquals(0, s.finishedMaxItems());
    assertTrue(error(env("GOWORK_FINISHED_MAX_ITEMS", "-1")).startsWith("GOWORK_FINISHED_MAX_ITEMS "));
    assertTrue(error(env("GOWORK_FINISHED_RETENTION_SECONDS", "0")).startsWith("GOWORK_FINISHED_RETENTION_SECONDS "));
  }

  @Test
  void transactionsStartAtMostEvery20MsUnlessTold() {
    assertEquals(Duration.ofMillis(5), CoordinatorSettings.parse(env()).commitInterval());
    assertEquals(Duration.ZERO, CoordinatorSettings.parse(env("GOWORK_COMMIT_INTERVAL_MS", "0")).commitInterval());
    assertEquals(Duration.ofMillis(100), CoordinatorSettings.parse(env(), "--commit-interval-ms", "100").commitInterval());
    assertTrue(error(env("GOWORK_COMMIT_INTERVAL_MS", "10001")).startsWith("GOWORK_COMMIT_INTERVAL_MS "));
    assertTrue(error(env("GOWORK_COMMIT_INTERVAL_MS", "-1")).startsWith("GOWORK_COMMIT_INTERVAL_MS "));
  }

  @Test
  void shareGroupsAreCountedEvery15SecondsUnlessTold() {
    assertEquals(Duration.ofSeconds(15), CoordinatorSettings.parse(env()).shareGroupCheck());
    assertEquals(Duration.ofSeconds(1),
        CoordinatorSettings.parse(env("GOWORK_SHARE_GROUP_CHECK_SECONDS", "1")).shareGroupCheck());
    assertTrue(error(env("GOWORK_SHARE_GROUP_CHECK_SECONDS", "0")).startsWith("GOWORK_SHARE_GROUP_CHECK_SECONDS "));
    assertTrue(error(env("GOWORK_SHARE_GROUP_CHECK_SECONDS", "3601")).startsWith("GOWORK_SHARE_GROUP_CHECK_SECONDS "));
  }

  @Test
  void badNamesAreNamed() {
    assertTrue(error(env("GOWORK_TOPIC_PREFIX", "no spaces")).startsWith("GOWORK_TOPIC_PREFIX (--topic-prefix) "));
    assertTrue(error(env("GOWORK_HTTP_HOST", "bad host")).startsWith("GOWORK_HTTP_HOST (--http-host) "));
    assertTrue(error(env("GOWORK_INSTANCE_ID", "a.b")).startsWith("GOWORK_INSTANCE_ID (--instance-id) "));
    assertTrue(error(env(), "--no-such-flag").contains("--no-such-flag"));
  }

  @Test
  void kafkaPropertiesComeFromTheFileThenTheEnvironment(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SSL\nclient.rack=a\n");
    CoordinatorSettings s = CoordinatorSettings.parse(env("GOWORK_KAFKA_PROPERTIES_FILE", file.toString(),
        "GOWORK_KAFKA_CLIENT_RACK", "b"));
    assertEquals(Map.of("security.protocol", "SSL", "client.rack", "b"), s.kafkaProperties());
    assertTrue(error(env("GOWORK_KAFKA_PROPERTIES_FILE", dir.resolve("absent").toString()))
        .startsWith("GOWORK_KAFKA_PROPERTIES_FILE (--kafka-properties-file) names a file that cannot be read"));
    assertTrue(error(env("GOWORK_KAFKA_BOOTSTRAP_SERVERS", "x:1")).contains("set GOWORK_BOOTSTRAP_SERVERS"));
  }

  @Test
  void toStringMasksTheSecretsAndKafkaPropertyValues() {
    String s = CoordinatorSettings.parse(env("GOWORK_KAFKA_SASL_JAAS_CONFIG", "password=hunter2")).toString();
    assertFalse(s.contains(SECRET) || s.contains(TOKEN) || s.contains("hunter2"), s);
    assertTrue(s.contains("secret=****") && s.contains("apiToken=****") && s.contains("sasl.jaas.config"), s);
  }

  @Test
  void aTlsKeyStoreIsOpenedAtOnceAndEveryMistakeIsNamedWithoutThePassword(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123");
    String store = cert.keyStore().toString();
    assertTrue(CoordinatorSettings.parse(env("GOWORK_TLS_KEYSTORE_PASSWORD", cert.password()), "--tls-keystore", store)
        .tls().isPresent());
    assertTrue(CoordinatorSettings.parse(env("GOWORK_TLS_KEYSTORE", store, "GOWORK_TLS_KEYSTORE_PASSWORD",
        cert.password())).toString().contains("tls=on"));
    assertEquals(Optional.empty(), CoordinatorSettings.parse(env()).tls());

    String wrong = error(env("GOWORK_TLS_KEYSTORE", store, "GOWORK_TLS_KEYSTORE_PASSWORD", "not-the-password"));
    assertTrue(wrong.contains("GOWORK_TLS_KEYSTORE") && wrong.contains("wrong password"), wrong);
    assertFalse(wrong.contains("not-the-password"), wrong);
    assertTrue(error(env("GOWORK_TLS_KEYSTORE", store)).contains("GOWORK_TLS_KEYSTORE_PASSWORD"));
    assertTrue(error(env("GOWORK_TLS_KEYSTORE_PASSWORD", cert.password())).contains("GOWORK_TLS_KEYSTORE is not"));
    String missing = error(env("GOWORK_TLS_KEYSTORE", dir.resolve("nope.p12").toString(),
        "GOWORK_TLS_KEYSTORE_PASSWORD", cert.password()));
    assertTrue(missing.contains("no readable file") && missing.contains("nope.p12"), missing);
    String notAStore = error(env("GOWORK_TLS_KEYSTORE", cert.certificate().toString(),
        "GOWORK_TLS_KEYSTORE_PASSWORD", cert.password()));
    assertTrue(notAStore.contains("cannot read") && notAStore.contains("server.pem"), notAStore);
  }

  @Test
  void helpListsEverySettingAndEnvVar() {
    StringWriter out = new StringWriter();
    new CommandLine(CoordinatorSettings.commandSpec()).usage(new PrintWriter(out));
    for (String name : CoordinatorSettings.ENV_VARS) {
      assertTrue(out.toString().contains(name), "--help mentions " + name);
    }
    for (Setting s : Setting.values()) {
      assertTrue(out.toString().contains(s.flag), "--help mentions " + s.flag);
    }
    assertTrue(out.toString().contains("GOWORK_KAFKA_<NAME>"));
  }

  @Test
  void everySettingHasARowInTheCoordinatorDocs() throws IOException {
    String doc = Files.readString(Path.of("../docs/coordinator.md"));
    for (String name : CoordinatorSettings.ENV_VARS) {
      assertTrue(doc.lines().anyMatch(l -> l.startsWith("| `") && l.contains("`" + name + "`")),
          "docs/coordinator.md has a row for " + name);
    }
    for (Setting s : Setting.values()) {
      assertTrue(doc.contains("`" + s.env + "` | `" + s.flag + "`"), "docs/coordinator.md names " + s.flag
          + " next to " + s.env);
    }
  }
}
