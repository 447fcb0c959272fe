package dev.gowork.cli.bench;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A system under test: something that takes items and, some time later, reports each as done
 * through the completion sink it was built with. {@link GoWorkLoop} is the framework's real path,
 * {@link RawLoop} the same trip on plain kafka-clients.
 */
interface Loop extends AutoCloseable {
  /** {@code gowork} or {@code raw}: the first word after {@code RESULT}. */
  String name();

  /**
   * Sends {@code count} items, calling {@code stamp} with each item's id just before it is handed
   * over, without waiting: the future completes once all of them are accepted (acknowledged by Kafka
   * and, for GoWork, their state committed), or fails.
   */
  CompletableFuture<Void> send(int count, Consumer<String> stamp);

  /** CPU time used so far by processes outside this JVM that belong to the loop (worker processes), in ns. */
  default long externalCpuNanos() {
    return 0;
  }

  /**
   * What went wrong inside the loop so far that it carried on from (failed polls, a thread that
   * stopped), for the progress lines and a timeout's message; empty when nothing did.
   */
  default Optional<String> trouble() {
    return Optional.empty();
  }

  /** Stops everything the loop started. */
  @Override
  void close();
}
