package dev.gowork.worker.runtime;

import dev.gowork.broker.wire.ResultStatus;

/** What other threads hand back to the poll thread. */
sealed interface Completion {
  /** A result write finished: durably when {@code error} is null. */
  record Published(Held held, ResultStatus status, Exception error) implements Completion {}

  /** The handler of {@code held} returned and its result is being written. */
  record HandlerDone(Held held) implements Completion {}

  /** The work of {@code held} was cancelled: it did not run, or its outcome is dropped; no result is written. */
  record Dropped(Held held) implements Completion {}

  /** Nothing happened; look again (e.g. close was asked for). */
  record Wake() implements Completion {}
}
