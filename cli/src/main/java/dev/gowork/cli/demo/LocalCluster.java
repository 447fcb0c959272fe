package dev.gowork.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The processes of one demo (or soak), each a child JVM with its log under {@code <dataDir>/logs}: a
 * coordinator with its embedded Kafka, then worker replicas. {@link #close} stops them all, workers
 * first; a shutdown hook does the same when the run is interrupted (Ctrl-C). A worker stopped with
 * {@link #kill} on purpose is no failure for {@link #checkAlive}.
 *
 * <p>The secret and the API token reach the children through their environment only.
 */
public final class LocalCluster implements AutoCloseable {
  private static final long GRACE_MILLIS = 10_000;
  private static final long KILL_WAIT_MILLIS = 10_000;
  private static final int TAIL_LINES = 30;

  private final DemoPlan plan;
  private final List<ChildProcess> children = new CopyOnWriteArrayList<>();
  private final Set<ChildProcess> killed = ConcurrentHashMap.newKeySet();
  private final Thread hook;
  private volatile ChildProcess coordinator;
  private volatile boolean stopping;

  /** @param notices where to say that an interrupted demo is stopping its processes */
  LocalCluster(DemoPlan plan, PrintStream notices) {
    this(plan, notices, "demo");
  }

  /**
   * @param notices where to say that an interrupted run is stopping its processes
   * @param label the command's name, which starts that notice
   */
  public LocalCluster(DemoPlan plan, PrintStream notices, String label) {
    this.plan = plan;
    this.hook = new Thread(() -> {
      notices.println(label + ": interrupted; stopping the coordinator and workers");
      stopAll();
    }, "StopLocalProcesses");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  public URI coordinatorUrl() {
    return URI.create("http://127.0.0.1:" + plan.httpPort());
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + plan.kafkaPort();
  }

  public Path logDir() {
    return plan.dataDir().resolve("logs");
  }

  /** Every child started so far, killed ones included, in start order. */
  public List<ChildProcess> children() {
    return List.copyOf(children);
  }

  /** The worker replicas started and not killed. */
  public List<ChildProcess> workers() {
    return children.stream().filter(c -> c != coordinator && !killed.contains(c)).toList();
  }

  /** Starts the coordinator and waits until {@code GET /readyz} answers 200. */
  public void startCoordinator(CoordinatorClient probe, Duration readyTimeout) {
    Map<String, String> env = childEnv();
    env.put("GOWORK_DATA_DIR", plan.dataDir().toString());
    env.put("GOWORK_EMBEDDED_KAFKA_PORT", Integer.toString(plan.kafkaPort()));
    env.put("GOWORK_HTTP_PORT", Integer.toString(plan.httpPort()));
    env.put("GOWORK_API_TOKEN", plan.apiToken());
    coordinator = start("coordinator", plan.coordinatorMain(), List.of("-Xmx1g"), env);
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (!probe.answersOk("/readyz")) {
      if (!coordinator.isAlive()) {
        throw failure("the coordinator exited with code " + coordinator.exitCode() + " before it was ready", coordinator);
      }
      if (System.nanoTime() - deadline > 0) {
        throw failure("the coordinator was not ready within " + readyTimeout.toSeconds() + " s (GET "
            + coordinatorUrl() + "/readyz)", coordinator);
      }
      pause(200);
    }
  }

  /** Starts the worker replicas with the {@code echo} handler; they register with the coordinator on their own. */
  void startWorkers() {
    for (int i = 1; i <= plan.workers(); i++) {
      startWorker("worker-" + i, "echo");
    }
  }

  /** Starts one worker replica named {@code name} (its log is {@code <name>.log}) running {@code handler}. */
  public ChildProcess startWorker(String name, String handler) {
    return startWorker(name, handler, coordinatorUrl(), Map.of());
  }

  /**
   * Starts one worker replica named {@code name} running {@code handler} that registers with {@code coordinator},
   * with {@code settings} (GOWORK_* variables) on top of the ones given here.
   */
  public ChildProcess startWorker(String name, String handler, URI coordinator, Map<String, String> settings) {
    Map<String, String> env = childEnv();
    env.put("GOWORK_COORDINATOR_URL", coordinator.toString());
    env.put("GOWORK_HANDLER", handler);
    if ("echo".equals(handler)) {
      env.put("GOWORK_BATCH_SIZE", "32"); // echo is short: each slot takes and runs 32 records per share fetch
    }
    env.put("GOWORK_CONCURRENCY", Integer.toString(plan.concurrency()));
    env.putAll(settings);
    return start(name, plan.workerMain(), List.of("-Xmx384m"), env);
  }

  /**
   * Kills a worker with SIGKILL and waits until it has ended; from then on {@link #checkAlive} leaves it out.
   *
   * @return true when it ended within 10 s
   */
  public boolean kill(ChildProcess worker) {
    if (worker == coordinator) {
      throw new IllegalArgumentException("kill is for workers; the coordinator is stopped by close()");
    }
    killed.add(worker);
    return worker.kill(KILL_WAIT_MILLIS);
  }

  /**
   * Waits until every worker has registered and verified ({@code GET /v1/workers} lists them active),
   * so that the measurements leave out the workers' start-up.
   */
  public void awaitWorkers(CoordinatorClient client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (activeWorkers(client.get("/v1/workers")) < plan.workers()) {
      checkAlive();
      if (System.nanoTime() - deadline > 0) {
        throw CliException.failed("the workers had not all verified within " + timeout.toSeconds()
            + " s; their logs: " + String.join(" ", children.stream().filter(c -> c != coordinator)
            .map(c -> c.log().toString()).toList()));
      }
      pause(200);
    }
  }

  private static long activeWorkers(JsonNode answer) {
    JsonNode workers = answer == null ? null : answer.get("workers");
    if (workers == null || !workers.isArray()) {
      return 0;
    }
    long n = 0;
    for (JsonNode w : workers) {
      n += "active".equals(w.path("state").asText()) ? 1 : 0;
    }
    return n;
  }

  /** @throws CliException failed, with its log's tail, when a child has exited */
  public void checkAlive() {
    if (stopping) {
      throw CliException.failed("interrupted; the coordinator and workers were stopped");
    }
    for (ChildProcess c : children) {
      if (!c.isAlive() && !killed.contains(c)) {
        throw failure("the " + c.name() + " exited with code " + c.exitCode(), c);
      }
    }
  }

  @Override
  public void close() {
    stopAll();
    ShutdownHooks.forget(hook);
  }

  private void stopAll() {
    stopping = true;
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (ChildProcess c : children) {
      if (c != coordinator) {
        workers.add(CompletableFuture.runAsync(() -> c.stop(GRACE_MILLIS)));
      }
    }
    workers.forEach(CompletableFuture::join);
    if (coordinator != null) {
      coordinator.stop(GRACE_MILLIS);
    }
  }

  private ChildProcess start(String name, String mainClass, List<String> jvmOptions, Map<String, String> env) {
    try {
      ChildProcess c = ChildProcess.startJava(name, plan.java(), jvmOptions, plan.classPath(), mainClass, env,
          logDir().resolve(name + ".log"));
      children.add(c);
      if (stopping) {
        c.stop(GRACE_MILLIS);
        throw CliException.failed("interrupted; the coordinator and workers were stopped");
      }
      return c;
    } catch (UncheckedIOException e) {
      throw CliException.failed(e.getMessage(), e);
    }
  }

  private Map<String, String> childEnv() {
    return plan.childEnv();
  }

  private static CliException failure(String what, ChildProcess c) {
    return CliException.failed(what + "; its log is " + c.log() + ", ending with:\n" + c.tail(TAIL_LINES));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
  }
}
