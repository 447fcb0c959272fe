package dev.gowork.cli.bench;

import dev.gowork.broker.embedded.KafkaProcess;
import dev.gowork.cli.demo.TemporaryData;
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
  /**
   * The child's JVM options: G1 with the pause goal and tenuring threshold the {@code gowork} launcher
   * sets, and a heap the broker never fills. ({@code GOWORK_JAVA_OPTS} is the bench JVM's only.)
   */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:MaxTenuringThreshold=2");

  private final Optional<String> bootstrapServers;
  private final KafkaProcess process;

  private BenchBroker(Optional<String> bootstrapServers, KafkaProcess process) {
    this.bootstrapServers = bootstrapServers;
    this.process = process;
  }

  /**
   * Starts the broker process when the plan wants one; {@code data} stops it before deleting the
   * folder it writes into.
   *
   * @throws org.apache.kafka.common.KafkaException if the broker process does not start
   */
  static BenchBroker start(BenchPlan plan, PrintStream err, TemporaryData data) {
    if (plan.bootstrapServers().isPresent() || !plan.brokerProcess()) {
      return notStarted(plan.bootstrapServers());
    }
    long began = System.nanoTime();
    KafkaProcess kafka = KafkaProcess.start(plan.dataDir(), JVM_OPTIONS);
    data.stopFirst(kafka);
    err.printf("bench: Kafka broker process at %s ready in %.1f s (log: %s)%n", kafka.bootstrapServers(),
        (System.nanoTime() - began) / 1e9, kafka.log());
    return new BenchBroker(Optional.of(kafka.bootstrapServers()), kafka);
  }

  /** A Kafka this run did not start (none: the coordinator embeds one in this JVM). */
  static BenchBroker notStarted(Optional<String> bootstrapServers) {
    return new BenchBroker(bootstrapServers, null);
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
    checkAlive();
    return process == null ? 0 : process.cpuTime().toNanos();
  }

  /** @throws IllegalStateException when the run's broker process has exited */
  void checkAlive() {
    if (process != null && !process.isAlive()) {
      throw new IllegalStateException("the Kafka broker process exited; see " + process.log());
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
