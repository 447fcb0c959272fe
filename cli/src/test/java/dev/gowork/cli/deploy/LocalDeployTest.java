package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs deploy/local/gowork-local for real: a coordinator with its embedded Kafka and 3 worker replicas
 * on one queue, 300 work items that the replicas share, a replica killed with SIGKILL mid-work, then
 * scale down to 1, status, down, and no process left; and the coordinator killed and started again.
 * The CLI runs from this JVM's class path (GOWORK_CMD), because {@code ./mvnw verify} runs these tests
 * before cli/target/gowork-cli.jar is packaged.
 */
class LocalDeployTest {
  private static final int ITEMS = 300;
  private static final String QUEUE = "local-deploy";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Set<Long> startedPids = new LinkedHashSet<>();
  private final StringBuilder transcript = new StringBuilder();

  @TempDir
  Path runDir;

  /**
   * One deployment of 3 replicas (the {@code sleep} handler, 2 slots each): 300 items of 0 ms spread
   * over several replicas; then worker-3, killed with SIGKILL mid-work, loses nothing: the broker
   * releases its records when its connection drops, and the other replicas complete them as a new
   * attempt. Then {@code scale 1} stops worker-2 and forgets the dead worker-3, {@code status} shows
   * the coordinator and worker-1 alive and ready, and {@code down} leaves no process behind.
   *
   * <p>The queue has one partition, which all six slots share. With three, a partition the share
   * group had given to worker-3's slots alone went to no one else until the broker dropped the dead
   * member, after its session timeout (45 s): about half the runs waited for it.
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void threeReplicasShareOneQueueLoseNothingToASigkillThenScaleDownAndStop() throws Exception {
    int httpPort = freePort();
    Map<String, String> env = scriptEnv(httpPort, freePort());
    env.put("GOWORK_CONCURRENCY", "2");
    env.put("GOWORK_SHARE_LOCK_SECONDS", "5"); // a SIGKILLed holder's records come back in 5 s, not 30
    env.put("GOWORK_WORK_PARTITIONS", "1");
    String url = "http://127.0.0.1:" + httpPort;
    boolean down = false;
    try {
      assertScript(env, "up", "--replicas", "3", "--queue", QUEUE, "--handler", "sleep");
      recordPids();
      assertEquals(4, startedPids.size(), () -> "a coordinator and 3 workers have PID files\n" + logs());
      assertEquals(4, alive().size(), () -> "the coordinator and 3 workers run, but only " + alive() + " of "
          + startedPids + " do\n" + logs());
      String token = Files.readString(runDir.resolve("api-token")).strip();

      List<String> ids = submit(url, token, ITEMS, 0);
      Set<String> workers = awaitCompleted(url, token, ids);
      assertTrue(workers.size() >= 2, "the share group spread the work over several replicas, got " + workers);

      long victim = Long.parseLong(Files.readAllLines(runDir.resolve("pids").resolve("worker-3.pid")).get(0).strip());
      // Three rounds of the six slots: the first done, the kill lands in the second (worker-3 holding two),
      // and the four slots left finish the rest. (30 items made that a 9 s tail of six rounds.)
      List<String> slow = submit(url, token, 18, 1500);
      awaitCount(url, token, slow, 6);
      ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
      assertTrue(ProcessHandle.of(victim).map(h -> h.onExit().thenApply(x -> true)).orElseThrow()
          .get(10, TimeUnit.SECONDS), "worker-3 is gone");
      awaitCompleted(url, token, slow);
      int retried = 0;
      for (String id : slow) {
        JsonNode status = JSON.readTree(http.send(request(url + "/v1/work/" + id, token).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("completed", status.path("state").asText(), status.toString());
        retried += status.path("attempts").asInt() > 1 ? 1 : 0;
      }
      assertTrue(retried >= 1, "the killed replica held work that completed elsewhere as a later attempt\n" + logs());

      assertScript(env, "scale", "1");
      assertEquals(2, alive().size(), "scale 1 stopped worker-2, worker-3 was killed:\n" + transcript);
      String status = assertScript(env, "status");
      // NAME ROLE PID ALIVE READY LOG: each process alive and ready by its own /readyz.
      assertTrue(status.lines().anyMatch(l -> l.matches("coordinator\\s+coordinator\\s+\\d+\\s+yes\\s+yes\\s.*")), status);
      assertTrue(status.lines().anyMatch(l -> l.matches("worker-1\\s+worker\\s+\\d+\\s+yes\\s+yes\\s.*")), status);
      assertTrue(status.lines().noneMatch(l -> l.startsWith("worker-2 ") || l.startsWith("worker-3 ")), status);
      assertTrue(status.contains("/v1/queues") && status.contains("\"queues\""), status);

      assertScript(env, "down");
      down = true;
      assertEquals(List.of(), alive(), "no process of the deployment is left; the script said:\n" + transcript + logs());
    } finally {
      if (!down) {
        recordPids();
        run(env, "down");
      }
      alive().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /**
   * The coordinator (with its embedded broker) killed with SIGKILL mid-run and started again on the
   * same data: the running replicas reconnect, and every accepted item still completes. About one run
   * in ten, the broker comes back with the coordinator's last transaction hanging on some partitions
   * (open there, unknown to the transaction coordinator); before HangingTransactions aborted them, an
   * item whose completion was in that transaction stayed queued and timed out.
   */
  @Test
  @Timeout(value = 200, unit = TimeUnit.SECONDS)
  void aCoordinatorKilledWithSigkillMidRunCarriesOnAfterRestart() throws Exception {
    int httpPort = freePort();
    Map<String, String> env = scriptEnv(httpPort, freePort());
    env.put("GOWORK_CONCURRENCY", "2");
    env.put("GOWORK_SHARE_LOCK_SECONDS", "5"); // a SIGKILLed holder's records come back in 5 s, not 30
    String url = "http://127.0.0.1:" + httpPort;
    try {
      assertScript(env, "up", "--replicas", "2", "--queue", QUEUE, "--handler", "sleep");
      String token = Files.readString(runDir.resolve("api-token")).strip();
      long coordinator = Long.parseLong(
          Files.readAllLines(runDir.resolve("pids").resolve("coordinator.pid")).get(0).strip());
      recordPids();

      List<String> ids = submit(url, token, 40, 200);
      awaitCount(url, token, ids, 8);
      ProcessHandle.of(coordinator).ifPresent(ProcessHandle::destroyForcibly);
      assertTrue(ProcessHandle.of(coordinator).map(h -> h.onExit().thenApply(x -> true)).orElse(
          java.util.concurrent.CompletableFuture.completedFuture(true)).get(10, TimeUnit.SECONDS));

      assertScript(env, "up", "--replicas", "2", "--queue", QUEUE, "--handler", "sleep");
      recordPids();
      awaitCompleted(url, token, ids);
      for (String id : ids) {
        JsonNode status = JSON.readTree(http.send(request(url + "/v1/work/" + id, token).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("completed", status.path("state").asText(), status.toString());
      }
    } finally {
      recordPids();
      run(env, "down");
      alive().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /**
   * A mistake in the command line is one line naming it and exit 2, as for every gowork command, before
   * anything starts: not a bash message with a line number ("line 281: 1: scale needs ...") and exit 1.
   */
  @Test
  void aMistakeInTheCommandLineIsOneLineAndExit2() throws Exception {
    Map<String, String> env = scriptEnv(freePort(), freePort());
    String[][] cases = {
        {"unknown command 'frob'", "frob"},
        {"scale needs one argument, the number of workers", "scale"},
        {"scale: 'x' is not a number of workers", "scale", "x"},
        {"--replicas must be a number, not 'x'", "up", "--replicas", "x"},
        {"--replicas needs a number", "up", "--replicas"},
        {"up: unknown argument --bogus", "up", "--bogus"}};
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      Result r = run(env, args);
      assertEquals(2, r.code, String.join(" ", args) + ": " + r.output);
      assertTrue(r.output.startsWith("gowork-local: " + c[0]) && r.output.endsWith("(see gowork-local help)\n")
          && r.output.lines().count() == 1, String.join(" ", args) + ": " + r.output);
    }
    recordPids();
    assertTrue(startedPids.isEmpty(), "nothing was started: " + startedPids);
  }

  /** Waits until at least {@code n} of {@code ids} are completed. */
  private void awaitCount(String url, String token, List<String> ids, int n) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      int done = 0;
      for (String id : ids) {
        JsonNode status = JSON.readTree(http.send(request(url + "/v1/work/" + id, token).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        done += status.path("state").asText().equals("completed") ? 1 : 0;
      }
      if (done >= n) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "only " + done + " items completed\n" + logs());
      Thread.sleep(100);
    }
  }

  private Map<String, String> scriptEnv(int httpPort, int kafkaPort) {
    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (!k.startsWith("GOWORK_")) {
        env.put(k, v);
      }
    });
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    env.put("GOWORK_CMD", java + " -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "
        + System.getProperty("java.class.path") + " dev.gowork.cli.Main");
    env.put("GOWORK_LOCAL_DIR", runDir.toString());
    env.put("GOWORK_HTTP_PORT", Integer.toString(httpPort));
    env.put("GOWORK_EMBEDDED_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("GOWORK_SHUTDOWN_GRACE_SECONDS", "5");
    env.put("GOWORK_LOCAL_READY_SECONDS", "60");
    return env;
  }

  /** Submits {@code count} items; with {@code sleepMs} above 0 their data tells the sleep handler how long. */
  private List<String> submit(String url, String token, int count, int sleepMs) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("items");
    for (int i = 0; i < count; i++) {
      items.addObject().put("queue", QUEUE).put("timeoutSeconds", 120).put("maxAttempts", 3)
          .putObject("data").put("n", i).put("ms", sleepMs);
    }
    HttpResponse<String> answer = http.send(request(url + "/v1/work/batch", token)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, answer.statusCode(), answer.body());
    List<String> ids = new ArrayList<>();
    JSON.readTree(answer.body()).path("workIds").forEach(id -> ids.add(id.asText()));
    assertEquals(count, ids.size(), answer.body());
    return ids;
  }

  /** Polls each item until it is completed; returns the worker ids that completed them. */
  private Set<String> awaitCompleted(String url, String token, List<String> ids) throws Exception {
    Set<String> pending = new LinkedHashSet<>(ids);
    Set<String> workers = new HashSet<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = "";
    while (!pending.isEmpty()) {
      for (String id : List.copyOf(pending)) {
        HttpResponse<String> answer = http.send(request(url + "/v1/work/" + id, token).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode status = JSON.readTree(answer.body());
        last = answer.body();
        if (status.path("state").asText().equals("completed")) {
          pending.remove(id);
          workers.add(status.path("workerId").asText());
        }
      }
      assertTrue(System.nanoTime() < deadline, pending.size() + " of " + ids.size() + " items not completed within "
          + DEADLINE.toSeconds() + " s; last status " + last + "\n" + logs());
      Thread.sleep(pending.isEmpty() ? 0 : 250);
    }
    return workers;
  }

  private static HttpRequest.Builder request(String url, String token) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
  }

  /** Runs the script, asserts exit code 0, and returns what it printed. */
  private String assertScript(Map<String, String> env, String... args) throws Exception {
    Result r = run(env, args);
    assertEquals(0, r.code, "gowork-local " + String.join(" ", args) + " failed:\n" + r.output + "\n" + logs());
    return r.output;
  }

  private record Result(int code, String output) {}

  private Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", RepoFiles.locate().path("deploy/local/gowork-local").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(runDir, "script", ".out");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out\n" + Files.readString(out));
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    transcript.append("$ gowork-local ").append(String.join(" ", args)).append(" (exit ").append(r.code).append(")\n")
        .append(r.output);
    return r;
  }

  /** Adds the PID of every process the script has a PID file for. */
  private void recordPids() throws IOException {
    if (!Files.isDirectory(runDir.resolve("pids"))) {
      return;
    }
    try (Stream<Path> files = Files.list(runDir.resolve("pids"))) {
      for (Path f : files.toList()) {
        startedPids.add(Long.parseLong(Files.readAllLines(f).get(0).strip()));
      }
    }
  }

  /** The started processes still running: a zombie (exited, not yet reaped by its new parent) is not. */
  private List<Long> alive() {
    return startedPids.stream()
        .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid)).toList();
  }

  /** True when /proc says the process has exited and only its entry is left (state Z, one thread). */
  private static boolean zombie(long pid) {
    try {
      String status = Files.readString(Path.of("/proc/" + pid + "/status"));
      return status.contains("\nState:\tZ") && status.contains("\nThreads:\t1\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String logs() {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(runDir.resolve("logs"))) {
      for (Path f : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        all.append("--- ").append(f.getFileName()).append(" (last 25 lines)\n");
        lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> all.append(l).append('\n'));
      }
    } catch (IOException e) {
      all.append("(no logs: ").append(e.getMessage()).append(")");
    }
    return all.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
