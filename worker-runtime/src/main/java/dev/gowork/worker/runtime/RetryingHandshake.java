package dev.gowork.worker.runtime;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.session.Handshake;
import dev.gowork.worker.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a {@link Handshake} while the coordinator is not up yet ({@code UNAVAILABLE}) or rate-limits
 * ({@code RATE_LIMITED}), a bounded number of times with {@link Backoff}; any other failure, such as a
 * refused secret, is final at once.
 */
final class RetryingHandshake implements Handshake {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingHandshake.class);

  private final Handshake inner;
  private final int attempts;
  private final Backoff backoff;
  private final Sleeper sleeper;

  RetryingHandshake(Handshake inner, int attempts, Backoff backoff, Sleeper sleeper) {
    this.inner = inner;
    this.attempts = attempts;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  @Override
  public Session authenticate() {
    for (int attempt = 1; ; attempt++) {
      try {
        return inner.authenticate();
      } catch (GoWorkException e) {
        boolean retryable = e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.RATE_LIMITED;
        if (!retryable || attempt >= attempts || Thread.currentThread().isInterrupted()) {
          if (retryable) {
            throw new GoWorkException(e.code(), "gave up after " + attempt + (attempt == 1 ? " attempt" : " attempts")
                + " (GOWORK_HANDSHAKE_ATTEMPTS): "
                + e.getMessage(), e);
          }
          throw e;
        }
        java.time.Duration wait = backoff.delay(attempt);
        LOG.warn("coordinator not ready ({}); attempt {}/{}, retrying in {} ms", e.getMessage(), attempt, attempts,
            wait.toMillis());
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the coordinator", e);
        }
      }
    }
  }
}
