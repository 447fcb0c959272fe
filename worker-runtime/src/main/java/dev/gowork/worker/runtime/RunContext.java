package dev.gowork.worker.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.handler.WorkContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link WorkContext} of one attempt; {@link #cancel()} is the runtime's stop signal, and the
 * poll thread takes the handler's progress reports from here.
 */
final class RunContext implements WorkContext {
  private static final int MAX_MESSAGE_CHARS = 200;
  private final WorkEnvelope work;
  private final int attempt;
  private final Clock clock;
  private final CompletableFuture<Void> cancelled = new CompletableFuture<>();
  /** The latest progress report not yet sent, or null. */
  private final AtomicReference<ObjectNode> progress = new AtomicReference<>();

  RunContext(WorkEnvelope work, int attempt, Clock clock) {
    this.work = work;
    this.attempt = attempt;
    this.clock = clock;
  }

  void cancel() {
    cancelled.complete(null);
  }

  /** True when a progress report waits to be sent. */
  boolean hasProgress() {
    return progress.get() != null;
  }

  /** The latest unsent progress report as {@code {"percent","message"}}, or null; it is sent once. */
  ObjectNode takeProgress() {
    return progress.getAndSet(null);
  }

  @Override
  public void progress(int percent, String message) {
    WorkContext.super.progress(percent, message);
    ObjectNode report = JsonNodeFactory.instance.objectNode().put("percent", percent);
    if (message != null) {
      report.put("message", message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
    }
    progress.set(report);
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
