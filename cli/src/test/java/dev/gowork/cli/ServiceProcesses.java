package dev.gowork.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator service and worker replicas as child JVMs on a given Kafka, for the cli's
 * integration tests. Closing stops them (SIGTERM, then a kill) and checks that none is left and
 * that each one that was running exited with 0, as a supervisor expects of a clean stop.
 */
final class ServiceProcesses implements AutoCloseable {
  static final String SECRET = "integration-test-secret-0123456789abcdef";
  static final String TOKEN = "integration-test-token";

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final int httpPort = freePort();

  ServiceProcesses(Path dir) {
    this.dir = dir;
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Starts the coordinator on {@code bootstrapServers} with topic prefix {@code prefix}; waits for /readyz. */
  void startCoordinator(String bootstrapServers, String prefix) throws Exception {
    Process p = start("coordinator", "dev.gowork.coordinator.Main", Map.of("GOWORK_SECRET", SECRET,
        "GOWORK_API_TOKEN", TOKEN, "GOWORK_BOOTSTRAP_SERVERS", bootstrapServers, "GOWORK_TOPIC_PREFIX", prefix,
        "GOWORK_HTTP_PORT", Integer.toString(httpPort), "GOWORK_DATA_DIR", dir.resolve("data").toString()));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/readyz")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      if (!p.isAlive()) {
        throw new AssertionError("coordinator exited: " + Files.readString(dir.resolve("coordinator.log")));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("coordinator not ready: " + Files.readString(dir.resolve("coordinator.log")));
      }
      Thread.sleep(200);
    }
  }

  /** Starts a worker replica with the echo handler. */
  void startWorker(String name) {
    startWorker(name, "echo");
  }

  /** Starts a worker replica with a built-in handler. */
  void startWorker(String name, String handler) {
    start(name, "dev.gowork.worker.Main", Map.of("GOWORK_SECRET", SECRET, "GOWORK_COORDINATOR_URL", url(),
        "GOWORK_HANDLER", handler, "GOWORK_CONCURRENCY", "2"));
  }

  String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".log"));
  }

  private Process start(String name, String mainClass, Map<String, String> env) {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx512m"));
    command.addAll(Console.CHILD_JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .redirectInput(new File("/dev/null"));
    pb.environment().keySet().removeIf(k -> k.startsWith("GOWORK_"));
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      processes.add(p);
      names.add(name);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    List<String> unclean = new ArrayList<>();
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      boolean wasRunning = p.isAlive();
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        unclean.add(names.get(i) + ": still running 15 s after SIGTERM");
      } else if (wasRunning && p.exitValue() != 0) {
        unclean.add(names.get(i) + ": exit " + p.exitValue() + " after SIGTERM\n" + log(names.get(i)));
      }
    }
    if (!unclean.isEmpty()) {
      throw new AssertionError("not a clean stop: " + unclean);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
