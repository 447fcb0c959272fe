package dev.gowork.worker.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The formulas of ARCHITECTURE.md written out again with javax.crypto, so tests check the runtime's
 * signatures without trusting broker-adapter's {@code Signatures}.
 */
public final class IndependentHmac {
  private IndependentHmac() {}

  /** base64(HMAC-SHA256(key = base64-decoded session key, "gowork-result:v1\n" + ... + hex sha256(value))). */
  public static String resultSignature(String sessionKey, String workId, int attempt, String status,
      String timestamp, byte[] value) throws Exception {
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    String msg = "gowork-result:v1\n" + workId + "\n" + attempt + "\n" + status + "\n" + timestamp + "\n" + digest;
    return hmac(Base64.getDecoder().decode(sessionKey), msg);
  }

  /** base64(HMAC-SHA256(key = secret UTF-8, "gowork-verify:" + workerId + ":" + challenge)). */
  public static String verifyResponse(String secret, String workerId, String challenge) throws Exception {
    return hmac(secret.getBytes(StandardCharsets.UTF_8), "gowork-verify:" + workerId + ":" + challenge);
  }

  /** The session key the coordinator derives: base64(HMAC(secret, "gowork-session:v1\n" + id + "\n" + nonce + "\n" + exp)). */
  public static String sessionKey(String secret, String workerId, String nonce, long expiresAtMillis) throws Exception {
    return hmac(secret.getBytes(StandardCharsets.UTF_8),
        "gowork-session:v1\n" + workerId + "\n" + nonce + "\n" + expiresAtMillis);
  }

  private static String hmac(byte[] key, String msg) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
  }
}
