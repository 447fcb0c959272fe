package dev.gowork.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.worker.runtime.WorkerSetting;
import dev.gowork.worker.runtime.WorkerSettings;
import dev.gowork.worker.testing.StubCoordinator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
  void aRefusedSecretExitsWithTwo() throws Exception {
    try (StubCoordinator coordinator = new StubCoordinator("the-coordinators-secret-0123456789", "127.0.0.1:9", "gw")) {
      assertEquals(Main.USAGE, run(env("GOWORK_HANDLER", "echo", "GOWORK_COORDINATOR_URL", coordinator.url().toString())));
    }
    // On stderr, in every command's format, not only in the log (which may go to a file).
    assertTrue(err.toString().startsWith("gowork worker: could not start: "), err.toString());
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
