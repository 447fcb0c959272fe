package dev.gowork.worker.handler;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link WorkHandler} knows about the work it runs. The runtime signals cancellation at the
 * deadline, when the work is cancelled on request, and when it shuts down, then interrupts the
 * handler's thread after a short grace.
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

  /** Completes when the runtime asks this handler to stop (deadline reached, work cancelled, or shutdown). */
  CompletionStage<Void> cancellation();

  /**
   * Reports how far the work has got, shown as {@code progress} by status queries ({@code GET
   * /v1/work/{id}}, {@code gowork status}) while it runs. Call it as often as you like: the runtime
   * sends the latest report at most once a second. The default does nothing.
   *
   * @param percent 0 to 100
   * @param message a few words for people (may be null); cut to 200 characters
   * @throws IllegalArgumentException when {@code percent} is out of range
   */
  default void progress(int percent, String message) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("progress percent must be 0 to 100, was " + percent);
    }
  }
}
