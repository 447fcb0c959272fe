package dev.gowork.broker.signing;

import dev.gowork.broker.wire.ResultStatus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake response and the result signature, exactly as docs/protocol.md defines them, so that
 * a worker in any language interoperates:
 *
 * <pre>
 * response  = base64(HMAC-SHA256(secret as UTF-8, "gowork-verify:" + workerId + ":" + challenge))
 * signature = base64(HMAC-SHA256(base64-decoded session key,
 *               "gowork-result:v1\n" + workId + "\n" + attempt + "\n" + status + "\n" + timestamp + "\n"
 *               + lowercase hex SHA-256 of the record value))
 * </pre>
 *
 * All checks compare in constant time. Thread-safe.
 */
public final class Signatures {
  private static final String HMAC = "HmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
  private static final int TOKEN_BYTES = 32;

  private Signatures() {}

  /** 32 random bytes, base64 (standard alphabet, padded): a challenge or a session key. */
  public static String randomToken() {
    byte[] b = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /**
   * The challenge of a registration: {@code base64(HMAC-SHA256(secret, "gowork-challenge:v1\n" + workerId))}.
   * The worker id carries random bytes and the registration time, so it is as unpredictable as a
   * random challenge to anyone without the secret; every coordinator of a prefix can recompute it,
   * and a worker checks it to know that the coordinator holds the secret too.
   */
  public static String challenge(SharedSecret secret, String workerId) {
    return B64.encodeToString(hmac(secret.key(), ("gowork-challenge:v1\n" + workerId).getBytes(StandardCharsets.UTF_8)));
  }

  /** True when {@code challenge} is the one {@link #challenge} derives for {@code workerId} (constant time). */
  public static boolean checkChallenge(SharedSecret secret, String workerId, String challenge) {
    if (workerId == null || challenge == null) {
      return false;
    }
    return MessageDigest.isEqual(challenge(secret, workerId).getBytes(StandardCharsets.UTF_8),
        challenge.getBytes(StandardCharsets.UTF_8));
  }

  /** The worker's answer to a challenge. */
  public static String verifyResponse(SharedSecret secret, String workerId, String challenge) {
    String msg = "gowork-verify:" + workerId + ":" + challenge;
    return B64.encodeToString(hmac(secret.key(), msg.getBytes(StandardCharsets.UTF_8)));
  }

  /** Checks a worker's answer in constant time; false for any malformed input. */
  public static boolean checkVerifyResponse(SharedSecret secret, String workerId, String challenge, String response) {
    if (response == null || workerId == null || challenge == null) {
      return false;
    }
    byte[] expected = verifyResponse(secret, workerId, challenge).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, response.getBytes(StandardCharsets.UTF_8));
  }

  /** Lowercase hex SHA-256 of a record value ({@code null} counts as empty). */
  public static String valueDigest(byte[] value) {
    return HexFormat.of().formatHex(SHA256.get().digest(value == null ? new byte[0] : value));
  }

  /**
   * Signs a result record.
   *
   * @param sessionKey the base64 session key the coordinator issued
   * @throws IllegalArgumentException when the session key is not base64
   */
  public static String signResult(String sessionKey, String workId, int attempt, ResultStatus status,
      long timestampMillis, byte[] value) {
    String msg = "gowork-result:v1\n" + workId + "\n" + attempt + "\n" + status.wireName() + "\n"
        + timestampMillis + "\n" + valueDigest(value);
    return B64.encodeToString(hmac(B64_DECODER.decode(sessionKey), msg.getBytes(StandardCharsets.UTF_8)));
  }

  /** Checks a result signature in constant time; false for any malformed input. */
  public static boolean checkResult(String sessionKey, String workId, int attempt, ResultStatus status,
      long timestampMillis, byte[] value, String signature) {
    if (sessionKey == null || signature == null || workId == null || status == null) {
      return false;
    }
    try {
      byte[] expected = signResult(sessionKey, workId, attempt, status, timestampMillis, value)
          .getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException badKey) {
      return false;
    }
  }

  /**
   * Signs an operator's request that one coordinator forwards to the coordinator that owns an item
   * (docs/coordinator.md): {@code base64(HMAC-SHA256(operatorKey, "gowork-request:v1\n" + timestamp + "\n"
   * + hex SHA-256 of the value))}. The operator key is one the coordinators share and workers do not
   * hold (the service uses its API token), so a worker cannot sign one.
   */
  public static String signRequest(byte[] operatorKey, long timestampMillis, byte[] value) {
    String msg = "gowork-request:v1\n" + timestampMillis + "\n" + valueDigest(value);
    return B64.encodeToString(hmac(operatorKey, msg.getBytes(StandardCharsets.UTF_8)));
  }

  /** Checks a forwarded request's signature in constant time; false for any malformed input. */
  public static boolean checkRequest(byte[] operatorKey, long timestampMillis, byte[] value, String signature) {
    if (signature == null || operatorKey == null) {
      return false;
    }
    return MessageDigest.isEqual(signRequest(operatorKey, timestampMillis, value).getBytes(StandardCharsets.UTF_8),
        signature.getBytes(StandardCharsets.UTF_8));
  }

  /** Constant-time equality of two strings (e.g. bearer tokens); false when either is null. */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * One HMAC-SHA256 with {@code key}. Each thread keeps its own {@link Mac} (and digest below):
   * {@code Mac.getInstance} and the first {@code init} look the provider up and verify it (about 1 KB
   * and 0.3 µs per call, the top allocation site of a paced run's profile: docs/benchmarks.md); a later
   * {@code init} only sets the key.
   */
  private static byte[] hmac(byte[] key, byte[] msg) {
    try {
      Mac mac = MACS.get();
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(msg);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance(HMAC);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  });

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  });
}
