package dev.gowork.worker.session;

import dev.gowork.broker.GoWorkException;

/**
 * One registration and verification with the coordinator, yielding a {@link Session}. The runtime
 * retries failures whose code is {@code UNAVAILABLE} or {@code RATE_LIMITED} and gives up on any
 * other. {@link HttpHandshake} is the real one; tests may supply their own.
 */
@FunctionalInterface
public interface Handshake {
  /**
   * Registers, answers the challenge and returns the session.
   *
   * @throws GoWorkException UNAUTHENTICATED when the coordinator refuses the answer (a wrong secret);
   *     UNAVAILABLE or RATE_LIMITED when a retry may succeed; another code for anything else
   */
  Session authenticate();
}
