package dev.gowork.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The seed's client: answers the coordinator's challenge, holds the session key, checks work before
 * it runs and signs its result. It does no I/O; fetching work and sending results is the caller's
 * (or {@link dev.gowork.worker.runtime.WorkerRuntime}'s) business.
 *
 * <pre>{@code
 * // after POST /v1/workers answered {"workerId": id, "challenge": challenge}
 * Worker worker = Worker.create(SharedSecret.fromEnv(System.getenv()), id, challenge);
 * String response = worker.clientResponse();          // POST /v1/workers/{id}/verify {"response": ...}
 * worker.setAuthenticationKey(sessionKey);            // from the verify answer
 * Processed p = worker.process(marshalledWork);       // throws TIMED_OUT when too late to start
 * SignedResult r = worker.submit(p.work(), result, null);
 * producer.send(r.toRecord(topics.results()));
 * }</pre>
 *
 * <p>Time comes from the {@link Clock} given to {@link #create(SharedSecret, String, String, Clock)}.
 * Thread-safe; {@link #setAuthenticationKey} may replace the key while other threads submit.
 */
public final class Worker {
  /** Longest accepted challenge, in characters. */
  public static final int MAX_CHALLENGE_LENGTH = 1024;
  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + WireCodec.MAX_ID_LENGTH + "}");

  private final String id;
  private final Verification verification;
  private final Clock clock;
  private final WireCodec codec;
  private volatile String sessionKey;

  /** The answer to the coordinator's challenge (the seed's {@code Worker.Verification.ClientResponse}). */
  public record Verification(String clientResponse) {}

  private Worker(String id, Verification verification, Clock clock, WireCodec codec) {
    this.id = id;
    this.verification = verification;
    this.clock = clock;
    this.codec = codec;
  }

  /**
   * Creates a worker for the id and challenge that registration returned, and computes its response.
   *
   * @throws GoWorkException INVALID_ARGUMENT when the secret is shorter than 32 characters, or the id or
   *     challenge is blank or malformed
   */
  public static Worker create(String secret, String workerId, String challenge) {
    return create(SharedSecret.of(secret), workerId, challenge);
  }

  /** As {@link #create(SharedSecret, String, String, Clock)} with the system UTC clock. */
  public static Worker create(SharedSecret secret, String workerId, String challenge) {
    return create(secret, workerId, challenge, Clock.systemUTC());
  }

  /**
   * Creates a worker whose deadline checks and result timestamps use {@code clock}.
   *
   * @throws GoWorkException INVALID_ARGUMENT when the id or challenge is blank or malformed
   */
  public static Worker create(SharedSecret secret, String workerId, String challenge, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(clock, "clock");
    if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
      throw invalid("worker id must be 1-" + WireCodec.MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ : -");
    }
    checkChallenge(challenge);
    String response = Signatures.verifyResponse(secret, workerId, challenge);
    return new Worker(workerId, new Verification(response), clock, WireCodec.defaults());
  }

  /** The worker id the coordinator assigned. */
  public String id() {
    return id;
  }

  /** The response to send to {@code POST /v1/workers/{id}/verify}. */
  public Verification verification() {
    return verification;
  }

  /** Shorthand for {@code verification().clientResponse()}. */
  public String clientResponse() {
    return verification.clientResponse();
  }

  /**
   * Stores the session key that verification returned; results are signed with it.
   *
   * @return this worker
   * @throws GoWorkException INVALID_ARGUMENT when the key is not base64
   */
  public Worker setAuthenticationKey(String sessionKey) {
    if (sessionKey == null || sessionKey.isBlank() || sessionKey.length() > MAX_CHALLENGE_LENGTH
        || !isBase64(sessionKey)) {
      throw invalid("session key must be the base64 string that verification returned");
    }
    this.sessionKey = sessionKey;
    return this;
  }

  /** True once {@link #setAuthenticationKey} was called. */
  public boolean isAuthenticated() {
    return sessionKey != null;
  }

  /**
   * Parses marshalled work (the work topic's value or {@code POST /v1/work/next}'s body), then as
   * {@link #process(WorkEnvelope)}.
   *
   * @throws GoWorkException MALFORMED (or TOO_LARGE, UNSUPPORTED_SCHEMA) when it cannot be decoded;
   *     TIMED_OUT when its deadline has passed
   */
  public Processed process(String marshalledWork) {
    if (marshalledWork == null) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work must not be null");
    }
    return process(codec.decodeWork(marshalledWork.getBytes(StandardCharsets.UTF_8)).orThrow());
  }

  /**
   * Checks that the work may still run and returns its data.
   *
   * @throws GoWorkException TIMED_OUT when the deadline has passed; MALFORMED when it carries no data
   */
  public Processed process(WorkEnvelope work) {
    Objects.requireNonNull(work, "work");
    if (work.data() == null || work.data().isMissingNode()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "work " + work.workId() + " carries no data");
    }
    requireNotExpired(work);
    return new Processed(work, work.data());
  }

  /** As {@link #submit(WorkEnvelope, JsonNode, String, Duration)} with an unknown duration. */
  public SignedResult submit(WorkEnvelope work, JsonNode result, String error) {
    return submit(work, result, error, null);
  }

  /**
   * Builds and signs the result of {@code work}: {@code completed} when {@code error} is null, else
   * {@code failed}. The caller sends {@link SignedResult#toRecord(String)} to the results topic.
   *
   * @param took how long the work ran, or {@code null} when unknown
   * @throws GoWorkException TIMED_OUT when the deadline has passed (the coordinator would refuse it);
   *     UNAUTHENTICATED when no session key was set
   */
  public SignedResult submit(WorkEnvelope work, JsonNode result, String error, Duration took) {
    Objects.requireNonNull(work, "work");
    requireNotExpired(work);
    ResultStatus status = error == null ? ResultStatus.COMPLETED : ResultStatus.FAILED;
    long ms = took == null ? -1 : Math.max(0, took.toMillis());
    return sign(new ResultEnvelope(work.workId(), work.attempt(), status, result, error, id, ms));
  }

  private SignedResult sign(ResultEnvelope result) {
    String key = sessionKey;
    if (key == null) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED,
          "worker " + id + " has no session key: call setAuthenticationKey(...) with the verify answer first");
    }
    return SignedResult.sign(codec, result, id, key, clock);
  }

  private void requireNotExpired(WorkEnvelope work) {
    if (work.isExpired(clock.instant())) {
      throw new GoWorkException(ErrorCode.TIMED_OUT,
          "work " + work.workId() + " timed out at " + work.deadline());
    }
  }

  private static void checkChallenge(String challenge) {
    if (challenge == null || challenge.isBlank()) {
      throw invalid("challenge must not be blank");
    }
    if (challenge.length() > MAX_CHALLENGE_LENGTH || !isBase64(challenge)) {
      throw invalid("challenge must be the base64 string (at most " + MAX_CHALLENGE_LENGTH
          + " characters) that registration returned");
    }
  }

  private static boolean isBase64(String s) {
    try {
      return Base64.getDecoder().decode(s).length > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static GoWorkException invalid(String message) {
    return new GoWorkException(ErrorCode.INVALID_ARGUMENT, message);
  }

  @Override
  public String toString() {
    return "Worker[" + id + (sessionKey == null ? ", unauthenticated]" : ", authenticated]");
  }
}
