package dev.gowork.cli.bench;

import dev.gowork.broker.embedded.KafkaProcess;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * The Kafka of one bench run: the one given ({@code --bootstrap-servers}), else an embedded broker in a
 * child JVM ({@code --broker process}, the default), else one inside the coordinator in this JVM
 * ({@code --broker in-process}). In a child JVM the broker's heap, GC pauses and JIT stay apart from the
 * coordinator and workers under test, as they would in any deployment; its CPU still counts in
 * {@code cpu_s}.
 */
final class BenchBroker implements AutoCloseable {
  /** The child's JVM options: the launcher's GC settings (see {@code gowork}) and a heap the broker never fills. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:MaxTenuringThreshold=2");

  private final Optional<String> bootstrapServers;
  private final KafkaProcess process;

  private BenchBroker(Optional<String> bootstrapServers, KafkaProcess process) {
    this.bootstrapServers = bootstrapServers;
    this.process = process;
  }

  static BenchBroker start(BenchPlan plan, PrintStream err) {
    if (plan.bootstrapServers().isPresent() || !plan.brokerProcess()) {
      return new BenchBroker(plan.bootstrapServers(), null);
    }
    long began = System.nanoTime();
    KafkaProcess kafka = KafkaProcess.start(plan.dataDir(), JVM_OPTIONS);
    err.printf("bench: Kafka broker process at %s ready in %.1f s (log: %s)%n", kafka.bootstrapServers(),
        (System.nanoTime() - began) / 1e9, plan.dataDir().resolve("kafka-process.log"));
    return new BenchBroker(Optional.of(kafka.bootstrapServers()), kafka);
  }

  /** The Kafka to use; empty when the coordinator is to embed one in this JVM. */
  Optional<String> bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * CPU time the broker process has used so far, in ns (0 when the broker is not a child of this run).
   *
   * @throws IllegalStateException when the broker process has exited
   */
  long cpuNanos() {
    if (process == null) {
      return 0;
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("the Kafka broker process exited; see its log, kafka-process.log");
    }
    return process.cpuTime().toNanos();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
