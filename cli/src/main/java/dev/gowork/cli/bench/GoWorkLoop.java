package dev.gowork.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.coordinator.CoordinatorService;
import dev.gowork.coordinator.Work;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.worker.handler.HandlerRegistry;
import dev.gowork.worker.runtime.WorkerRuntime;
import dev.gowork.worker.runtime.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The real path: an in-process coordinator service (HTTP API, {@link WorkServer}, embedded broker or
 * the given one) with a {@code work_complete} handler that reports completions, and worker replicas
 * that register over HTTP and run the built-in {@code noop} handler, as threads of this JVM or as
 * child processes. Items go in through {@link WorkServer#addAllAsync}.
 */
final class GoWorkLoop implements Loop {
  private final BenchPlan plan;
  private final CoordinatorService coordinator;
  private final WorkServer server;
  private final List<WorkerRuntime> threads = new ArrayList<>();
  private final WorkerProcesses processes;
  private final JsonNode data;

  /**
   * Starts the coordinator service alone (no workers yet); completions go to {@code completed}, with
   * where each item's time went as its {@code work_complete} event tells.
   */
  GoWorkLoop(BenchPlan plan, CoordinatorService coordinator, RunBench.Sink completed) {
    this.plan = plan;
    this.coordinator = coordinator;
    this.server = coordinator.workServer();
    this.data = Payload.json(plan.dataBytes());
    this.processes = new WorkerProcesses(plan, coordinator.baseUrl().toString());
    server.newHandler("work_complete", (event, params) -> {
      long now = System.currentTimeMillis();
      if (event.durationMs() != null) {
        completed.stages(event.durationMs(), now - event.time().toEpochMilli());
      }
      completed.accept(event.workId());
    });
  }

  /**
   * The coordinator's settings for a bench run: any free port, a fresh topic prefix, the given Kafka
   * (empty: a broker embedded in this JVM).
   */
  static CoordinatorSettings coordinatorSettings(BenchPlan plan, Optional<String> bootstrapServers) {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    plan.kafkaPassThrough().forEach((k, v) -> env.put(k, v));
    env.put(SharedSecret.ENV, plan.secret());
    env.put(CoordinatorSettings.API_TOKEN, plan.apiToken());
    env.put("GOWORK_HTTP_PORT", "0");
    env.put("GOWORK_EMBEDDED_KAFKA_PORT", "0");
    env.put("GOWORK_DATA_DIR", plan.dataDir().toString());
    env.put("GOWORK_TOPIC_PREFIX", plan.topicPrefix() + ".gowork");
    env.put("GOWORK_WORK_PARTITIONS", Integer.toString(plan.partitions()));
    env.put("GOWORK_SHARE_HEARTBEAT_MS", Long.toString(plan.heartbeat().toMillis()));
    env.put("GOWORK_RUN_HANDLERS_AT", plan.runHandlersAt());
    env.put("GOWORK_COMMIT_INTERVAL_MS", Integer.toString(plan.commitIntervalMillis()));
    bootstrapServers.ifPresent(b -> env.put("GOWORK_BOOTSTRAP_SERVERS", b));
    return CoordinatorSettings.parse(env);
  }

  /** Starts the worker replicas (threads or processes); they register with the coordinator over HTTP. */
  void startWorkers() {
    if (plan.processes()) {
      processes.start();
      return;
    }
    for (int i = 0; i < plan.workers(); i++) {
      WorkerSettings s = WorkerSettings.builder(SharedSecret.of(plan.secret()))
          .coordinatorUrl(coordinator.baseUrl()).concurrency(plan.concurrency()).workerName("bench-" + i)
          .workPartitions(plan.partitions()).heartbeatInterval(plan.heartbeat())
          .shutdownGrace(Duration.ofSeconds(5)).batchSize(plan.prefetch()).kafka(plan.kafkaProperties()).build();
      threads.add(WorkerRuntime.builder(s).handler(HandlerRegistry.builtIns().resolve("noop")).start());
    }
  }

  @Override
  public String name() {
    return "gowork";
  }

  @Override
  public CompletableFuture<Void> send(int count, Consumer<String> stamp) {
    List<Work> batch = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      batch.add(Work.create(data, plan.workTimeoutSeconds()));
    }
    batch.forEach(w -> stamp.accept(w.id()));
    return server.addAllAsync(batch);
  }

  @Override
  public long externalCpuNanos() {
    processes.checkAlive();
    return processes.cpuNanos();
  }

  @Override
  public void close() {
    threads.parallelStream().forEach(WorkerRuntime::close);
    processes.close();
  }
}
