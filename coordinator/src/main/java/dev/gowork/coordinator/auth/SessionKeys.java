package dev.gowork.coordinator.auth;

import dev.gowork.broker.signing.SharedSecret;
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

  SessionKeys(SharedSecret secret) {
    this.key = new SecretKeySpec(secret.utf8(), "HmacSHA256");
  }

  String derive(String workerId, String nonce, long expiresAtMillis) {
    String msg = "gowork-session:v1\n" + workerId + "\n" + nonce + "\n" + expiresAtMillis;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getEncoder().encodeToString(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
