package dev.gowork.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's process handling with stand-in mains: readiness, early exits, clean environment, stopping. */
class LocalClusterTest {
  @TempDir
  Path dir;

  private DemoPlan plan(Class<?> coordinator, Class<?> worker) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("GOWORK_BOOTSTRAP_SERVERS", "elsewhere:9092");
    return new DemoPlan(1, 2, 1, 60, dir, port, 1, "s".repeat(44), "t".repeat(44), env,
        ProcessHandle.current().info().command().orElseThrow(), System.getProperty("java.class.path"),
        coordinator.getName(), worker.getName());
  }

  private static CoordinatorClient probe(LocalCluster c) {
    return new CoordinatorClient(c.coordinatorUrl(), null, "test", Duration.ofSeconds(5));
  }

  @Test
  void aCoordinatorThatExitsEarlyIsReportedWithTheEndOfItsLog() throws Exception {
    try (LocalCluster c = new LocalCluster(plan(FakeMains.ExitAtOnce.class, FakeMains.NeverReady.class), System.err)) {
      CliException e = assertThrows(CliException.class, () -> c.startCoordinator(probe(c), Duration.ofSeconds(60)));
      assertTrue(e.getMessage().startsWith("the coordinator exited with code 3 before it was ready; its log is "
          + dir.resolve("logs/coordinator.log")), e.getMessage());
      assertTrue(e.getMessage().endsWith("\n    cannot start: boom"), e.getMessage());
    }
  }

  @Test
  void aCoordinatorThatIsNeverReadyTimesOutAndIsStopped() throws Exception {
    LocalCluster c = new LocalCluster(plan(FakeMains.NeverReady.class, FakeMains.NeverReady.class), System.err);
    try (c) {
      CliException e = assertThrows(CliException.class, () -> c.startCoordinator(probe(c), Duration.ofSeconds(1)));
      assertTrue(e.getMessage().startsWith("the coordinator was not ready within 1 s"), e.getMessage());
    }
    assertFalse(c.children().get(0).isAlive());
  }

  @Test
  void childrenGetTheirOwnSettingsOnlyAndAreAllStoppedOnClose() throws Exception {
    LocalCluster c = new LocalCluster(plan(FakeMains.Ready.class, FakeMains.NeverReady.class), System.err);
    try (c) {
      c.startCoordinator(probe(c), Duration.ofSeconds(60));
      c.startWorkers();
      c.checkAlive();
      assertEquals(3, c.children().size());
    }
    c.children().forEach(child -> assertFalse(child.isAlive(), child.name()));
    String log = Files.readString(dir.resolve("logs/coordinator.log"));
    assertTrue(log.contains("env [GOWORK_API_TOKEN, GOWORK_DATA_DIR, GOWORK_EMBEDDED_KAFKA_PORT, GOWORK_HTTP_PORT, "
        + "GOWORK_SECRET]"), log);
    assertEquals(List.of("coordinator.log", "worker-1.log", "worker-2.log"),
        c.children().stream().map(ch -> ch.log().getFileName().toString()).toList());
  }

  @Test
  void workersThatDoNotAllVerifyInTimeAreReported() throws Exception {
    try (LocalCluster c = new LocalCluster(plan(FakeMains.Ready.class, FakeMains.NeverReady.class), System.err)) {
      c.startCoordinator(probe(c), Duration.ofSeconds(60));
      c.startWorkers();
      CliException e = assertThrows(CliException.class, () -> c.awaitWorkers(probe(c), Duration.ofSeconds(1)));
      assertTrue(e.getMessage().startsWith("the workers had not all verified within 1 s; their logs: "
          + dir.resolve("logs/worker-1.log")), e.getMessage());
    }
  }

  @Test
  void aWorkerKilledOnPurposeIsNoFailureAndItsReplacementRuns() throws Exception {
    LocalCluster c = new LocalCluster(plan(FakeMains.Ready.class, FakeMains.NeverReady.class), System.err, "soak");
    try (c) {
      c.startCoordinator(probe(c), Duration.ofSeconds(60));
      c.startWorkers();
      ChildProcess victim = c.workers().get(0);
      assertTrue(c.kill(victim), "SIGKILL ends it at once");
      assertFalse(victim.isAlive());
      ChildProcess replacement = c.startWorker("worker-3", "sleep");
      c.checkAlive();
      assertEquals(List.of("worker-2", "worker-3"), c.workers().stream().map(ChildProcess::name).toList());
      assertEquals(4, c.children().size(), "the killed one is still listed, for its log");
      assertTrue(replacement.isAlive());
    }
    c.children().forEach(child -> assertFalse(child.isAlive(), child.name()));
  }

  @Test
  void aWorkerThatDiesIsNoticed() throws Exception {
    try (LocalCluster c = new LocalCluster(plan(FakeMains.Ready.class, FakeMains.ExitAtOnce.class), System.err)) {
      c.startCoordinator(probe(c), Duration.ofSeconds(60));
      c.startWorkers();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (c.children().get(1).isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      CliException e = assertThrows(CliException.class, c::checkAlive);
      assertTrue(e.getMessage().startsWith("the worker-1 exited with code 3"), e.getMessage());
    }
  }
}
