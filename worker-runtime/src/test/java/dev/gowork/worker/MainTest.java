package dev.gowork.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.http.HttpAddress;
import dev.gowork.worker.runtime.WorkerSetting;
import dev.gowork.worker.runtime.WorkerSettings;
import dev.gowork.worker.testing.StubCoordinator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

class MainTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(Map<String, String> env, String... args) {
    return Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>(Map.of("GOWORK_SECRET", SECRET));
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void versionIsPrintedLikeTheOtherCommands() {
    assertEquals(Main.OK, run(Map.of(), "--version"));
    assertTrue(out.toString().startsWith("GoWork worker "), out.toString());
    assertEquals(Main.OK, run(Map.of(), "-V"));
  }

  @Test
  void helpListsEverySettingWithItsVariableAndDefault() {
    assertEquals(Main.OK, run(Map.of(), "--help"));
    String help = out.toString();
    for (WorkerSetting s : WorkerSetting.values()) {
      assertTrue(help.contains(s.env()), "help lacks " + s.env());
      if (s.flag() != null) {
        assertTrue(help.contains(s.flag()), "help lacks " + s.flag());
      }
    }
    assertFalse(help.contains("--secret "), "the secret itself is never a flag");
  }

  @Test
  void helpFitsEightyColumnsWithNoEntryRunningOnAtColumnZero() {
    assertEquals(Main.OK, run(Map.of(), "--help"));
    List<String> lines = out.toString().lines().toList();
    for (String line : lines) {
      assertTrue(line.length() <= 80, "over 80 columns: " + line);
    }
    int firstOption = 0;
    while (!isOption(lines.get(firstOption))) {
      firstOption++;
    }
    // The description is one paragraph: each of its lines is as full as the next one's first word allows.
    List<String> description = lines.subList(0, firstOption).stream()
        .filter(l -> !l.startsWith("Usage:") && !l.startsWith(" ")).toList();
    assertFalse(description.isEmpty(), out.toString());
    for (int i = 0; i + 1 < description.size(); i++) {
      String next = description.get(i + 1);
      int firstWord = next.contains(" ") ? next.indexOf(' ') : next.length();
      assertTrue(description.get(i).length() + 1 + firstWord > 80, "the description breaks early after: "
          + description.get(i));
    }
    // Past the description, only a heading or the exit codes start at column 0, never the rest of an entry.
    for (String line : lines.subList(firstOption, lines.size())) {
      if (!line.isBlank() && !line.startsWith(" ")) {
        assertTrue(line.equals("From the environment only (never flags):") || line.startsWith("Exit codes: "),
            "a line runs on at column 0: " + line);
      }
    }
    assertFalse(out.toString().contains("=<batch-size>"), "placeholders say what the value is, e.g. <N>");
  }

  @Test
  void helpShowsEachRangeThatTheCodeEnforces() {
    Map<WorkerSetting, long[]> ranges = new LinkedHashMap<>();
    ranges.put(WorkerSetting.CONCURRENCY, new long[] {1, 200});
    ranges.put(WorkerSetting.BATCH_SIZE, new long[] {1, 1000});
    ranges.put(WorkerSetting.SHUTDOWN_GRACE_SECONDS, new long[] {0, 3600});
    ranges.put(WorkerSetting.SHARE_LOCK_SECONDS, new long[] {1, 3600});
    ranges.put(WorkerSetting.SHARE_DELIVERY_LIMIT, new long[] {2, 10});
    ranges.put(WorkerSetting.SHARE_HEARTBEAT_MS, new long[] {100, 60000});
    ranges.put(WorkerSetting.WORK_PARTITIONS, new long[] {1, 10000});
    ranges.put(WorkerSetting.REPLICATION_FACTOR, new long[] {1, 32767});
    ranges.put(WorkerSetting.CANCEL_GRACE_MS, new long[] {0, 600000});
    ranges.put(WorkerSetting.RUNNING_NOTICE_MS, new long[] {0, 3600000});
    ranges.put(WorkerSetting.HANDSHAKE_ATTEMPTS, new long[] {1, 1000});
    ranges.put(WorkerSetting.HTTP_PORT, new long[] {0, 65535});
    assertEquals(Main.OK, run(Map.of(), "--help"));
    String help = out.toString();
    for (Map.Entry<WorkerSetting, long[]> r : ranges.entrySet()) {
      WorkerSetting s = r.getKey();
      long min = r.getValue()[0];
      long max = r.getValue()[1];
      String entry = optionHelp(help, s.flag());
      assertTrue(entry.contains("(" + min + "-" + max), s.flag() + " does not show " + min + "-" + max + ": " + entry);
      assertTrue(accepts(s, min) && accepts(s, max), s.env() + " refuses a value of " + min + "-" + max);
      assertFalse(accepts(s, min - 1) || accepts(s, max + 1), s.env() + " accepts a value outside " + min + "-" + max);
    }
  }

  /** One option's entry in {@code --help}, its wrapped lines joined. */
  private static String optionHelp(String help, String flag) {
    StringBuilder entry = new StringBuilder();
    boolean in = false;
    for (String line : help.lines().toList()) {
      if (isOption(line)) {
        in = line.strip().startsWith(flag + "=");
      }
      if (in) {
        entry.append(' ').append(line.strip());
      }
    }
    return entry.toString().strip();
  }

  /** The first line of an option's entry: {@code "  -h, --help ..."} or {@code "      --queue=<QUEUE> ..."}. */
  private static boolean isOption(String line) {
    return line.matches(" {2,6}-.*");
  }

  private static boolean accepts(WorkerSetting s, long value) {
    Map<String, String> env = env("GOWORK_HANDLER", "echo", s.env(), Long.toString(value));
    try {
      WorkerSettings.fromEnv(env);
      HttpAddress.fromEnv(env);
      return true;
    } catch (GoWorkException e) {
      return false;
    }
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    WorkerSettings s = Main.settings(new String[] {"--queue", "images", "--concurrency", "3", "--handler", "noop"},
        env("GOWORK_QUEUE", "emails", "GOWORK_CONCURRENCY", "9", "GOWORK_SHUTDOWN_GRACE_SECONDS", "7"),
        new PrintWriter(out));
    assertEquals("images", s.queue());
    assertEquals(3, s.concurrency());
    assertEquals(Optional.of("noop"), s.handler());
    assertEquals(Duration.ofSeconds(7), s.shutdownGrace());
    assertEquals(URI.create("http://127.0.0.1:8080"), s.coordinatorUrl());
    assertNull(Main.settings(new String[] {"-h"}, Map.of(), new PrintWriter(out)));
  }

  @Test
  void badSettingsExitWithTwoNamingTheSetting() {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_CONCURRENCY", "lots")));
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_BOOTSTRAP_SERVERS", "kafka:abc")));
    assertTrue(err.toString().contains("GOWORK_BOOTSTRAP_SERVERS (--bootstrap-servers) must be host:port"),
        err.toString());
    assertTrue(err.toString().contains("GOWORK_CONCURRENCY"), err.toString());
    assertEquals(Main.USAGE, run(env()));
    assertTrue(err.toString().contains("GOWORK_HANDLER"), err.toString());
    assertEquals(Main.USAGE, run(env(), "--handler", "com.example.Missing"));
    assertEquals(Main.USAGE, run(Map.of("GOWORK_HANDLER", "echo")));
    assertTrue(err.toString().contains("GOWORK_SECRET"), err.toString());
    assertEquals(Main.USAGE, run(env(), "--secret", SECRET));
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "--concurrency"));
    assertFalse(err.toString().contains(SECRET), "the secret is never printed");
  }

  @Test
  void aBadOrTakenHttpPortExitsWithTwoBeforeTheHandshake() throws Exception {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_WORKER_HTTP_PORT", "http")));
    assertTrue(err.toString().contains("GOWORK_WORKER_HTTP_PORT (--http-port) must be 0..65535 or none"), err.toString());
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      // The coordinator URL answers nothing: had the worker tried its handshake first, this would take 20 tries.
      assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_COORDINATOR_URL", "http://127.0.0.1:9",
          "GOWORK_WORKER_HTTP_HOST", "127.0.0.1"), "--http-port", Integer.toString(taken.getLocalPort())));
    }
    assertTrue(err.toString().contains("cannot listen on 127.0.0.1:") && err.toString().contains("GOWORK_WORKER_HTTP_PORT"),
        err.toString());
  }

  @Test
  void aRefusedSecretExitsWithTwoSayingItOnceOnOneLine() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    try (StubCoordinator coordinator = new StubCoordinator("the-coordinators-secret-0123456789", "127.0.0.1:9", "gw");
        AutoCloseable log = listen(logged)) {
      assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_COORDINATOR_URL", coordinator.url().toString())));
    }
    // On stderr, in every command's format, and not logged as well (the log goes to stderr too).
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("gowork worker: could not start: "), err.toString());
    assertTrue(err.toString().contains("GOWORK_SECRET"), err.toString());
    assertEquals(List.of(), logged, "the failure is said once, on stderr, not logged again");
  }

  /**
   * docs/worker.md says any error at start is one line on stderr, but only a GoWorkException was caught: a
   * Kafka client the replica could not build (here a GOWORK_KAFKA_* trust store that does not exist) escaped
   * Main.run as a KafkaException, a stack trace saying "Failed to construct kafka share consumer" at the top.
   */
  @Test
  void aKafkaClientThatCannotBeBuiltIsOneLineNamingWhyAndExitsWithOne(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    String missing = dir.resolve("no-such-truststore.jks").toString();
    try (StubCoordinator coordinator = new StubCoordinator(SECRET, "127.0.0.1:9", "gw")) {
      assertEquals(Main.FAILED, run(env("GOWORK_HANDLER", "echo", "GOWORK_COORDINATOR_URL", coordinator.url().toString(),
          "GOWORK_KAFKA_SECURITY_PROTOCOL", "SSL", "GOWORK_KAFKA_SSL_TRUSTSTORE_LOCATION", missing,
          "GOWORK_KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit")));
    }
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("gowork worker: could not start: ") && err.toString().contains(missing),
        err.toString());
  }

  @Test
  void aBadSettingIsOneLineOnStderr() {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_CONCURRENCY", "lots")));
    assertEquals("gowork worker: GOWORK_CONCURRENCY (--concurrency) must be a whole number; was 'lots'",
        err.toString().strip());
    err.getBuffer().setLength(0);
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "--concurrency"));
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("gowork worker: ") && err.toString().strip().endsWith("(see --help)"),
        err.toString());
  }

  @Test
  void aFlagWhoseValueWasForgottenDoesNotShowTheArgumentItTookInstead() {
    String secret = "typed-secret-0123456789-abcdefghij";
    for (String[] args : new String[][] {{"--queue", "-h" + secret}, {"--concurrency", "--api-token=" + secret},
        {"--coordinator-url", "-s" + secret}, {"--http-port", "-s" + secret}}) {
      err.getBuffer().setLength(0);
      assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), args), String.join(" ", args));
      assertTrue(!err.toString().contains("typed-secret") && err.toString().contains("<not shown: it starts with '-'"),
          err.toString());
    }
  }

  @Test
  void aSecretTypedAfterSecretFileIsNotShown() {
    assertEquals(Main.USAGE, run(Map.of("GOWORK_HANDLER", "echo"), "--secret-file", "typed-secret-0123456789-abcdef"));
    assertEquals("gowork worker: GOWORK_SECRET_FILE names a file that cannot be read: <not shown: the setting is a "
        + "secret's>", err.toString().strip());
  }

  @Test
  void aMistypedFlagIsNamedWithTheOneMeant() {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "--concurency", "2"));
    assertEquals("gowork worker: unknown option '--concurency' (did you mean --concurrency?) (see --help)",
        err.toString().strip());
  }

  @Test
  void aSecretTypedAsAFlagIsNotPrinted() {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "--secret=" + SECRET));
    assertEquals("gowork worker: unknown option '--secret'; secrets are read only from the environment or a *_FILE, "
        + "never from a flag (see --help)", err.toString().strip());
  }

  @Test
  void aSecretGluedToAShortFlagOrAfterTheEndOfOptionsIsNotPrinted() {
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "-s" + SECRET));
    assertEquals("gowork worker: unknown option '-s' (see --help)", err.toString().strip());
    err.getBuffer().setLength(0);
    assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo"), "--", "-s" + SECRET));
    assertFalse(err.toString().contains(SECRET), err.toString());
  }

  /** Collects what {@code dev.gowork.worker.Main} logs at WARN or above, until closed. */
  private static AutoCloseable listen(List<String> lines) {
    return listen(lines, Level.WARN, Main.class.getName());
  }

  /** Collects what the logger named {@code logger} logs at {@code from} or above, as "LEVEL message" lines, until closed. */
  static AutoCloseable listen(List<String> lines, Level from, String logger) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    AbstractAppender appender = new AbstractAppender("main-test", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(from) && event.getLoggerName().equals(logger)) {
          lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    context.getConfiguration().getRootLogger().addAppender(appender, from, null);
    context.updateLoggers();
    return () -> {
      context.getConfiguration().getRootLogger().removeAppender("main-test");
      context.updateLoggers();
      appender.stop();
    };
  }

  @Test
  void aReplicaThatCannotStartFreesItsHttpPort() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = free.getLocalPort();
    }
    try (StubCoordinator coordinator = new StubCoordinator("the-coordinators-secret-0123456789", "127.0.0.1:9", "gw")) {
      assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_COORDINATOR_URL", coordinator.url().toString(),
          "GOWORK_WORKER_HTTP_HOST", "127.0.0.1", "GOWORK_WORKER_HTTP_PORT", Integer.toString(port))));
    }
    try (java.net.ServerSocket again = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertEquals(port, again.getLocalPort(), "the refused replica released its HTTP port");
    }
  }
}
