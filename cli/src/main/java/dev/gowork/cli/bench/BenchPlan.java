package dev.gowork.cli.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one {@code gowork bench} run was resolved to. The secret and the token are masked in
 * {@link #toString()}.
 *
 * @param processes worker replicas as child processes (else threads of this JVM)
 * @param warmupSeconds the warm-up repeats until this long after the loop started (JIT compilation settles)
 * @param runHandlersAt when the coordinator runs handlers: {@code commit} or {@code apply}
 * @param commitIntervalMillis how often at most the coordinator starts a transaction (0: back to back)
 * @param brokerProcess without {@code bootstrapServers}: the embedded broker in a child JVM (else in this one)
 * @param kafkaEnv the {@code GOWORK_KAFKA_*} variables passed to every client (and to the children)
 * @param kafkaProperties the same as Kafka client properties
 */
record BenchPlan(int items, int pacedItems, int rate, boolean burst, boolean paced, boolean raw, boolean gowork, int workers,
    int concurrency, int prefetch, boolean processes, int warmup, int warmupSeconds, int batch, int senders, int dataBytes, int partitions,
    int workTimeoutSeconds, Duration heartbeat, Duration timeout, int lingerMillis, int fetchMaxWaitMillis,
    int rawConsumers, String rawAcquireMode, int rawMaxPollRecords, boolean rawCommitEachBatch,
    String runHandlersAt, int commitIntervalMillis, Optional<String> bootstrapServers, boolean brokerProcess, Path dataDir, String topicPrefix, String secret, String apiToken,
    Map<String, String> kafkaEnv, Map<String, String> kafkaProperties) {

  /** The {@code GOWORK_KAFKA_*} variables, for a child's environment or the coordinator's settings. */
  Map<String, String> kafkaPassThrough() {
    return kafkaEnv;
  }

  @Override
  public String toString() {
    return "items=" + items + " paced_items=" + pacedItems + " rate=" + rate + " workers=" + workers
        + " concurrency=" + concurrency + " prefetch=" + prefetch + " mode=" + (processes ? "processes" : "threads") + " warmup=" + warmup
        + " warmup_seconds=" + warmupSeconds
        + " batch=" + batch + " senders=" + senders + " data_bytes=" + dataBytes + " partitions=" + partitions
        + " linger_ms=" + lingerMillis + " fetch_max_wait_ms=" + fetchMaxWaitMillis + " raw_consumers=" + rawConsumers
        + " raw_acquire=" + rawAcquireMode + " run_handlers_at=" + runHandlersAt
        + " commit_interval_ms=" + commitIntervalMillis + " raw_max_poll=" + rawMaxPollRecords + " kafka="
        + bootstrapServers.orElse(brokerProcess ? "embedded-process" : "embedded-in-process") + " kafka_props=" + kafkaProperties.keySet();
  }
}
