package dev.gowork.coordinator.auth;

import java.util.List;

/**
 * Worker registration and authentication, the seed's {@code ws.Workers}.
 *
 * <pre>{@code
 * Registration reg = server.workers().register();              // -> worker
 * String response = Signatures.verifyResponse(secret, reg.workerId(), reg.challenge()); // worker side
 * Session s = server.workers().verify(reg.workerId(), response);  // -> worker: s.sessionKey()
 * }</pre>
 */
public interface Workers {

  /**
   * Registers a new worker: a fresh id and a single-use challenge (fires {@code worker_registered}).
   * Anyone may register, so an unanswered registration holds no place a real worker needs.
   */
  default Registration register() {
    return register(null);
  }

  /**
   * As {@link #register()}, for a worker that gives a name (a replica's {@code GOWORK_WORKER_NAME}):
   * kept with its registration and, once it verifies, with its session, and listed by {@link #list}.
   * Informative only: it plays no part in authentication.
   *
   * @param name 1-100 characters without control characters, or null for none
   * @throws dev.gowork.broker.GoWorkException INVALID_ARGUMENT for a name outside those bounds
   */
  Registration register(String name);

  /**
   * Checks the worker's answer to its challenge and opens a session (fires {@code worker_verify}).
   *
   * @throws dev.gowork.broker.GoWorkException UNAUTHENTICATED for any wrong answer, unknown id, used or
   *     expired challenge (fires {@code worker_verify_error}; the message reveals nothing); RATE_LIMITED
   *     after too many failures for this worker id, or for a right answer when {@code maxWorkers}
   *     verified workers are known
   */
  Session verify(String workerId, String response);

  /**
   * Ends a worker's session at once (fires {@code worker_expired}, and tells the replica holding it,
   * which verifies again) and returns once that is committed to Kafka. With several coordinators on
   * one prefix, the one that owns the worker's results partition revokes it: another sends it the
   * request and returns once it sees the session ended.
   *
   * @throws dev.gowork.broker.GoWorkException NOT_FOUND for an unknown id; UNAVAILABLE when the commit
   *     does not happen (or, forwarded, is not seen within the send timeout)
   */
  void revoke(String workerId);

  /**
   * True when {@code sessionKey} is the open session of {@code workerId} (compared in constant time);
   * notes the worker as seen.
   */
  boolean authenticate(String workerId, String sessionKey);

  /** Every known worker, oldest registration first. */
  List<WorkerSummary> list();
}
