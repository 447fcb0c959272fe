package dev.gowork.coordinator.results;

import dev.gowork.broker.signing.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The coordinators' seal on the running notice that tells the owner of work another coordinator handed
 * out over HTTP ({@link ResultPipeline#handedOutMark()}). The notice itself is signed with the HTTP
 * worker's session key, which that worker holds, so the mark alone would let any verified worker mark
 * queued work as handed out to itself. The seal is a header, {@value #HEADER} =
 * {@code base64(HMAC-SHA256(operator key, "gowork-handout:v1\n" + workerId + "\n" + timestamp + "\n" +
 * hex SHA-256 of the value))}, over the notice's own worker id, timestamp and value (which holds the work
 * id, the attempt and the mark). The operator key is the one coordinators sign forwarded requests with
 * (the service's API token), which workers do not hold. The owner takes the mark only when sealed;
 * without an operator key no mark is sent and none is taken.
 */
public final class HandoutSeal {
  /** The record header that carries the seal. */
  public static final String HEADER = "gowork-handout";
  private static final HandoutSeal NONE = new HandoutSeal(null);
  private final byte[] key;

  private HandoutSeal(byte[] key) {
    this.key = key;
  }

  /** The seal of the coordinators sharing {@code operatorKey}; with null, one that seals and accepts nothing. */
  public static HandoutSeal of(byte[] operatorKey) {
    return operatorKey == null ? NONE : new HandoutSeal(operatorKey.clone());
  }

  /** A seal that seals and accepts nothing (a coordinator without an operator key). */
  public static HandoutSeal none() {
    return NONE;
  }

  /** True when this coordinator holds an operator key, so it can seal marks and check them. */
  public boolean enabled() {
    return key != null;
  }

  /**
   * Adds the seal to a running notice signed by {@code workerId} at {@code timestampMillis}.
   *
   * @throws IllegalStateException without an operator key
   */
  public void seal(ProducerRecord<String, byte[]> notice, String workerId, long timestampMillis) {
    if (key == null) {
      throw new IllegalStateException("no operator key: a hand-out mark cannot be sealed");
    }
    notice.headers().add(HEADER, sign(workerId, timestampMillis, notice.value()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * True when {@code notice} carries a seal of this key over its worker id, timestamp and value
   * (checked in constant time); false without an operator key or for any malformed input.
   */
  boolean isSealed(ConsumerRecord<String, byte[]> notice, String workerId, long timestampMillis) {
    Header h = notice.headers().lastHeader(HEADER);
    if (key == null || h == null || h.value() == null || workerId == null || notice.value() == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(workerId, timestampMillis, notice.value()).getBytes(StandardCharsets.UTF_8),
        h.value());
  }

  private String sign(String workerId, long timestampMillis, byte[] value) {
    String msg = "gowork-handout:v1\n" + workerId + "\n" + timestampMillis + "\n" + Signatures.valueDigest(value);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
