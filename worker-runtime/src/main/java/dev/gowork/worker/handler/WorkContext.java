package dev.gowork.worker.handler;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link WorkHandler} knows about the work it runs. The runtime signals cancellation at the
 * deadline (and when it shuts down), then interrupts the handler's thread after a short grace.
 */
public interface WorkContext {
  /** The work id (a UUID string), the idempotency key of the work. */
  String workId();

  /** The queue the work came from. */
  String queue();

  /** 1 for the first attempt; higher for retries and redeliveries after a lost worker. */
  int attempt();

  /** When the coordinator stops waiting for a result. */
  Instant deadline();

  /** Time left before the deadline, zero when past it. */
  Duration remaining();

  /** True once the runtime asked this handler to stop. */
  boolean isCancelled();

  /** Completes when the runtime asks this handler to stop (deadline reached or shutdown). */
  CompletionStage<Void> cancellation();
}
