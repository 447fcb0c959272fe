package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The process entry point: exit codes, the embedded broker default, and closing on shutdown. */
@ExtendWith(KafkaExtension.class)
class MainTest {
  private static final Map<String, String> SECRETS = Map.of("GOWORK_SECRET", "main-test-secret-0123456789-abcdefgh",
      "GOWORK_API_TOKEN", "main-test-token-0123456789");

  @Test
  void withoutBootstrapServersItStartsAnEmbeddedBrokerAndBecomesReady(@TempDir Path dir) throws Exception {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("GOWORK_DATA_DIR", dir.resolve("data").toString());
    env.put("GOWORK_EMBEDDED_KAFKA_PORT", "0");
    CompletableFuture<CoordinatorService> started = new CompletableFuture<>();
    try (CapturedWarnings said = CapturedWarnings.from(org.apache.logging.log4j.Level.INFO, Main.class.getName())) {
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
          () -> Main.run(env, started::complete, "--http-port", "0"));
      CoordinatorService service = started.get(60, TimeUnit.SECONDS);
      try {
        assertTrue(service.embeddedKafka().isPresent());
        assertEquals("127.0.0.1", service.baseUrl().getHost(), "embedded mode listens on loopback by default");
        assertTrue(Files.isDirectory(dir.resolve("data").resolve("kafka")), "the broker's data is under GOWORK_DATA_DIR");
        HttpClient client = HttpClient.newHttpClient();
        URI readyz = service.baseUrl().resolve("/readyz");
        Poll.until(() -> status(client, readyz) == 200, Duration.ofSeconds(20), "/readyz to answer 200");
      } finally {
        service.close();
      }
      assertEquals(0, exit.get(30, TimeUnit.SECONDS));
      assertTrue(said.lines().stream().anyMatch(l -> l.matches(".*: coordinator stopped after running \\d+s")),
          "one line says the coordinator has stopped: " + said.lines());
    }
  }

  @Test
  void theRunTimeInTheStoppedLineReadsAtAGlance() {
    assertEquals("0s", Main.ran(Duration.ZERO));
    assertEquals("59s", Main.ran(Duration.ofMillis(59_999)));
    assertEquals("12m 03s", Main.ran(Duration.ofSeconds(12 * 60 + 3)));
    assertEquals("3h 07m 12s", Main.ran(Duration.ofSeconds(3 * 3600 + 7 * 60 + 12)));
    assertEquals("2d 4h 07m", Main.ran(Duration.ofSeconds(2 * 86_400 + 4 * 3600 + 7 * 60 + 59)));
  }

  @Test
  void aSecretTypedAsAFlagIsNotPrinted() {
    for (String[] args : new String[][] {{"--secret=typed-secret-0123456789-abcdefghij"},
        {"--secret", "typed-secret-0123456789-abcdefghij"}, {"typed-secret-0123456789-abcdefghij"}}) {
      StringWriter err = new StringWriter();
      assertEquals(2, Main.run(SECRETS, new PrintWriter(err), service -> { }, args));
      assertTrue(!err.toString().contains("typed-secret") && err.toString().contains("secrets are read only from the "
          + "environment"), err.toString());
    }
  }

  @Test
  void aSecretGluedToAShortFlagOrAfterTheEndOfOptionsIsNotPrinted() {
    for (String[] args : new String[][] {{"-styped-secret-0123456789-abcdefghij"},
        {"--api-token", "-typed-secret-0123456789-abcdefghij"}, {"--", "-styped-secret-0123456789-abcdefghij"},
        {"--secret:typed-secret-0123456789-abcdefghij"}}) {
      StringWriter err = new StringWriter();
      assertEquals(2, Main.run(SECRETS, new PrintWriter(err), service -> { }, args));
      assertTrue(!err.toString().contains("typed-secret") && err.toString().startsWith("coordinator: "), err.toString());
    }
  }

  @Test
  void aFlagWhoseValueWasForgottenDoesNotShowTheArgumentItTookInstead() {
    for (String[] args : new String[][] {{"--http-port", "-htyped-secret-0123456789-abcdefghij"},
        {"--http-port", "--api-token=typed-secret-0123456789-abcdefghij"},
        {"--run-handlers-at", "-styped-secret-0123456789-abcdefghij"}}) {
      StringWriter err = new StringWriter();
      assertEquals(2, Main.run(SECRETS, new PrintWriter(err), service -> { }, args));
      assertTrue(!err.toString().contains("typed-secret") && err.toString().contains("<not shown: it starts with '-'")
          && err.toString().contains(args[0]), err.toString());
    }
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(SECRETS, new PrintWriter(err), service -> { }, "--http-port", "abc"));
    assertEquals("coordinator: --http-port (GOWORK_HTTP_PORT) must be an integer from 0 to 65535, was 'abc'",
        err.toString().strip());
  }

  @Test
  void aMistypedFlagIsNamedWithTheOneMeant() {
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(SECRETS, new PrintWriter(err), service -> { }, "--htp-port", "9000"));
    assertEquals("coordinator: unknown option '--htp-port' (did you mean --http-port?) (see --help)", err.toString().strip());
  }

  @Test
  void badSettingsExitWith2AndHelpWith0() {
    assertEquals(2, Main.run(Map.of(), "--http-port", "0"), "no secret");
    assertEquals(2, Main.run(SECRETS, "--http-port", "-3"));
    assertEquals(2, Main.run(SECRETS, "--unknown"));
    assertEquals(0, Main.run(SECRETS, "--help"));
  }

  @Test
  void aTakenPortExitsWith1AndLeavesNothingRunning(TestKafka kafka) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new HashMap<>(SECRETS);
      env.put("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("GOWORK_TOPIC_PREFIX", kafka.topicPrefix());
      env.put("GOWORK_HTTP_HOST", "127.0.0.1");
      env.put("GOWORK_HTTP_PORT", Integer.toString(taken.getLocalPort()));
      StringWriter err = new StringWriter();
      try (CapturedWarnings logged = CapturedWarnings.start("dev.gowork.coordinator.Main")) {
        assertEquals(1, Main.run(env, new PrintWriter(err), service -> { }));
        assertEquals(java.util.List.of(), logged.lines(), "the failure is not logged as well as printed");
      }
      String[] lines = err.toString().split("\\R");
      assertEquals(1, lines.length, "one line on stderr: " + err);
      assertTrue(lines[0].startsWith("coordinator: failed to start: ") && lines[0].contains(
          Integer.toString(taken.getLocalPort())), lines[0]);
    }
    try (org.apache.kafka.clients.admin.Admin admin = kafka.clients().admin()) {
      assertTrue(admin.listTopics().names().get().stream().noneMatch(t -> t.startsWith(kafka.topicPrefix() + ".")),
          "the taken port was found before anything was done on Kafka");
    }
    Poll.until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("gowork-")), Duration.ofSeconds(10),
        "the work server's threads to end");
  }

  /**
   * The one stderr line said only the outermost exception: a Kafka client that could not be built said
   * "KafkaException: Failed to create new KafkaAdminClient" (or "Failed to construct kafka producer"), and
   * why (here the missing trust store a GOWORK_KAFKA_* setting names) was only in its cause, logged at
   * DEBUG. The line now carries the causes too.
   */
  @Test
  void aStartFailureWhoseReasonIsInItsCauseSaysTheCauseOnItsOneLine(TestKafka kafka, @TempDir Path dir) {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("GOWORK_TOPIC_PREFIX", kafka.topicPrefix());
    env.put("GOWORK_HTTP_HOST", "127.0.0.1");
    env.put("GOWORK_HTTP_PORT", "0");
    env.put("GOWORK_KAFKA_SECURITY_PROTOCOL", "SSL");
    String missing = dir.resolve("no-such-truststore.jks").toString();
    env.put("GOWORK_KAFKA_SSL_TRUSTSTORE_LOCATION", missing);
    env.put("GOWORK_KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit");
    StringWriter err = new StringWriter();
    assertEquals(1, Main.run(env, new PrintWriter(err), service -> { }));
    String[] lines = err.toString().split("\\R");
    assertEquals(1, lines.length, "one line on stderr: " + err);
    assertTrue(lines[0].startsWith("coordinator: failed to start: ") && lines[0].contains(missing), lines[0]);
  }

  /**
   * A share group setting the brokers refuse (a lock past their group.share.max.record.lock.duration.ms, 60 s by
   * default, while GOWORK_SHARE_LOCK_SECONDS takes up to an hour) is a bad setting: exit 2 naming it, as a GoWork
   * worker does, not 1 as for Kafka being away (a supervisor restarts that into the same failure).
   */
  @Test
  void aShareLockTheBrokersRefuseExitsWith2NamingGoworkShareLockSeconds(TestKafka kafka) {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("GOWORK_TOPIC_PREFIX", kafka.topicPrefix());
    env.put("GOWORK_HTTP_HOST", "127.0.0.1");
    env.put("GOWORK_HTTP_PORT", "0");
    env.put("GOWORK_SHARE_LOCK_SECONDS", "120");
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(env, new PrintWriter(err), service -> { }), err.toString());
    String[] lines = err.toString().split("\\R");
    assertEquals(1, lines.length, "one line on stderr: " + err);
    assertTrue(lines[0].startsWith("coordinator: failed to start: ") && lines[0].contains("GOWORK_SHARE_LOCK_SECONDS")
        && lines[0].contains("share.record.lock.duration.ms"), lines[0]);
  }

  @Test
  void aTakenEmbeddedKafkaPortExitsWith1BeforeABrokerStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> env = new HashMap<>(SECRETS);
      env.put("GOWORK_DATA_DIR", dir.toString());
      env.put("GOWORK_EMBEDDED_KAFKA_PORT", Integer.toString(taken.getLocalPort()));
      env.put("GOWORK_HTTP_PORT", "0");
      assertEquals(1, Main.run(env));
    }
    assertTrue(!java.nio.file.Files.exists(dir.resolve("kafka")), "no broker was formatted or started");
  }

  /**
   * A second coordinator started with this one's instance id (e.g. {@code gowork coordinator} run twice):
   * the first closes and exits with 3, so that a supervisor sees it, instead of running on with its
   * memberships taken from it and taking them back (SameInstanceIdTest has the work server's side).
   */
  @Test
  void aCoordinatorTakenOverByAnotherWithItsInstanceIdClosesAndExitsWith3(TestKafka kafka) throws Exception {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("GOWORK_TOPIC_PREFIX", kafka.topicPrefix());
    env.put("GOWORK_HTTP_HOST", "127.0.0.1");
    CompletableFuture<CoordinatorService> started = new CompletableFuture<>();
    try (CapturedWarnings said = CapturedWarnings.from(org.apache.logging.log4j.Level.ERROR, "dev.gowork")) {
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
          () -> Main.run(env, started::complete, "--http-port", "0"));
      CoordinatorService first = started.get(60, TimeUnit.SECONDS);
      URI healthz = first.baseUrl().resolve("/healthz");
      assertEquals(200, status(HttpClient.newHttpClient(), healthz));
      try (WorkServer second = WorkServer.builder().secret(dev.gowork.broker.signing.SharedSecret.of(
          SECRETS.get("GOWORK_SECRET"))).kafka(kafka.clients()).topics(dev.gowork.broker.topic.Topics.of(
          kafka.topicPrefix())).build().start()) {
        assertEquals(Main.TAKEN_OVER, exit.get(60, TimeUnit.SECONDS));
        assertTrue(first.takenOver());
        assertTrue(second.failure().isEmpty(), () -> second.failure().get());
      }
      assertEquals(1, said.lines().stream().filter(l -> l.contains("GOWORK_INSTANCE_ID")).count(),
          "the takeover is logged once: " + said.lines());
    }
  }

  private static int status(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
