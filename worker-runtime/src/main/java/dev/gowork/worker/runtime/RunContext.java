package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The {@link WorkContext} of one attempt; {@link #cancel()} is the runtime's stop signal. */
final class RunContext implements WorkContext {
  private final WorkEnvelope work;
  private final int attempt;
  private final Clock clock;
  private final CompletableFuture<Void> cancelled = new CompletableFuture<>();

  RunContext(WorkEnvelope work, int attempt, Clock clock) {
    this.work = work;
    this.attempt = attempt;
    this.clock = clock;
  }

  void cancel() {
    cancelled.complete(null);
  }

  @Override
  public String workId() {
    return work.workId();
  }

  @Override
  public String queue() {
    return work.queue();
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Instant deadline() {
    return work.deadline();
  }

  @Override
  public Duration remaining() {
    return work.remaining(clock.instant());
  }

  @Override
  public boolean isCancelled() {
    return cancelled.isDone();
  }

  @Override
  public CompletionStage<Void> cancellation() {
    return cancelled.minimalCompletionStage();
  }

  @Override
  public String toString() {
    return "WorkContext[" + work.workId() + ", attempt " + attempt + ", deadline " + work.deadline() + "]";
  }
}
