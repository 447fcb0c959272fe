package dev.gowork.coordinator.auth;

import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives session keys so that a restarted coordinator can recompute them from what may be stored:
 * {@code base64(HMAC-SHA256(secret, "gowork-session:v1\n" + workerId + "\n" + nonce + "\n" + expiresAtMillis))}.
 */
final class SessionKeys {
  private final SecretKeySpec key;
  private final SharedSecret secret;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  SessionKeys(SharedSecret secret) {
    this.secret = secret;
    this.key = new SecretKeySpec(secret.utf8(), "HmacSHA256");
  }

  /** The challenge of a registration ({@link Signatures#challenge}), which the worker checks too. */
  String challenge(String workerId) {
    return Signatures.challenge(secret, workerId);
  }

  String derive(String workerId, String nonce, long expiresAtMillis) {
    return hmac("gowork-session:v1\n" + workerId + "\n" + nonce + "\n" + expiresAtMillis);
  }

  private String hmac(String msg) {
    return Base64.getEncoder().encodeToString(macs.get().doFinal(msg.getBytes(StandardCharsets.UTF_8)));
  }

  /** A {@link Mac} per thread, keyed once: looking the provider up on every call allocated heavily. */
  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
