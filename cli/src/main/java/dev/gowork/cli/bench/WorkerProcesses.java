package dev.gowork.cli.bench;

import dev.gowork.broker.signing.SharedSecret;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Worker replicas as child JVMs ({@code dev.gowork.worker.Main} on this JVM's class path) with the
 * {@code noop} handler; each logs to {@code <dataDir>/worker-<i>.log}. The secret reaches them
 * through their environment only. {@link #close} sends SIGTERM and kills after a grace period.
 */
final class WorkerProcesses implements AutoCloseable {
  private static final long GRACE_MILLIS = 10_000;

  private final BenchPlan plan;
  private final String coordinatorUrl;
  private final List<Process> children = new ArrayList<>();

  WorkerProcesses(BenchPlan plan, String coordinatorUrl) {
    this.plan = plan;
    this.coordinatorUrl = coordinatorUrl;
  }

  void start() {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (int i = 1; i <= plan.workers(); i++) {
      Map<String, String> env = new HashMap<>();
      System.getenv().forEach((k, v) -> {
        if (!k.startsWith("GOWORK_")) {
          env.put(k, v);
        }
      });
      plan.kafkaPassThrough().forEach(env::put);
      env.put(SharedSecret.ENV, plan.secret());
      env.put("GOWORK_COORDINATOR_URL", coordinatorUrl);
      env.put("GOWORK_HANDLER", "noop");
      env.putIfAbsent("GOWORK_BATCH_SIZE", Integer.toString(plan.prefetch()));
      env.put("GOWORK_CONCURRENCY", Integer.toString(plan.concurrency()));
      env.put("GOWORK_WORK_PARTITIONS", Integer.toString(plan.partitions()));
      env.put("GOWORK_SHARE_HEARTBEAT_MS", Long.toString(plan.heartbeat().toMillis()));
      env.put("GOWORK_WORKER_NAME", "bench-process-" + i);
      Path log = plan.dataDir().resolve("worker-" + i + ".log");
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseParallelGC", "-cp",
          System.getProperty("java.class.path"), "dev.gowork.worker.Main")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().clear();
      pb.environment().putAll(env);
      try {
        Files.createDirectories(log.getParent());
        children.add(pb.start());
      } catch (IOException e) {
        close();
        throw new UncheckedIOException("cannot start worker process " + i + ": " + e.getMessage(), e);
      }
    }
  }

  /** @throws IllegalStateException when a worker process has exited */
  void checkAlive() {
    for (int i = 0; i < children.size(); i++) {
      if (!children.get(i).isAlive()) {
        throw new IllegalStateException("worker process " + (i + 1) + " exited with code "
            + children.get(i).exitValue() + "; see " + plan.dataDir().resolve("worker-" + (i + 1) + ".log"));
      }
    }
  }

  /** CPU time the worker processes have used so far, in ns. */
  long cpuNanos() {
    long sum = 0;
    for (Process p : children) {
      sum += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return sum;
  }

  @Override
  public void close() {
    children.forEach(Process::destroy);
    for (Process p : children) {
      try {
        if (!p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    children.clear();
  }
}
