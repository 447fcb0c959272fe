package dev.gowork.broker.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The formulas are recomputed here independently, from the text of ARCHITECTURE.md. */
class SignaturesTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static String independentHmac(byte[] key, String msg) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
  }

  private static String hexSha256(byte[] v) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (byte b : MessageDigest.getInstance("SHA-256").digest(v)) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  @Test
  void verifyResponseMatchesTheDocumentedFormula() throws Exception {
    String challenge = Signatures.randomToken();
    String expected = independentHmac(SECRET.getBytes(StandardCharsets.UTF_8), "gowork-verify:w-42:" + challenge);
    SharedSecret s = SharedSecret.of(SECRET);
    assertEquals(expected, Signatures.verifyResponse(s, "w-42", challenge));
    assertTrue(Signatures.checkVerifyResponse(s, "w-42", challenge, expected));
    assertFalse(Signatures.checkVerifyResponse(s, "w-43", challenge, expected));
    assertFalse(Signatures.checkVerifyResponse(s, "w-42", challenge, null));
    assertFalse(Signatures.checkVerifyResponse(SharedSecret.of(SECRET + "x"), "w-42", challenge, expected));
  }

  @Test
  void randomTokensAre32BytesOfPaddedBase64() {
    String t = Signatures.randomToken();
    assertEquals(32, Base64.getDecoder().decode(t).length);
    assertEquals(44, t.length());
    assertNotEquals(t, Signatures.randomToken());
  }

  @Test
  void resultSignatureMatchesTheDocumentedFormula() throws Exception {
    String key = Signatures.randomToken();
    byte[] value = "{\"workId\":\"abc\"}".getBytes(StandardCharsets.UTF_8);
    long ts = 1_764_324_000_123L;
    String msg = "gowork-result:v1\nabc\n2\ncompleted\n" + ts + "\n" + hexSha256(value);
    String expected = independentHmac(Base64.getDecoder().decode(key), msg);
    assertEquals(expected, Signatures.signResult(key, "abc", 2, ResultStatus.COMPLETED, ts, value));
    assertTrue(Signatures.checkResult(key, "abc", 2, ResultStatus.COMPLETED, ts, value, expected));
  }

  @Test
  void theMacEachThreadReusesTakesEachCallsOwnKeyAndDigest() throws Exception {
    byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
    java.util.List<String> keys = java.util.List.of(Signatures.randomToken(), Signatures.randomToken(),
        Signatures.randomToken());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) {
        for (String key : keys) {
          for (byte[] v : new byte[][] {value, "{\"x\":1}".getBytes(StandardCharsets.UTF_8)}) {
            String expected = independentHmac(Base64.getDecoder().decode(key),
                "gowork-result:v1\nabc\n1\ncompleted\n7\n" + hexSha256(v));
            assertEquals(expected, Signatures.signResult(key, "abc", 1, ResultStatus.COMPLETED, 7, v));
            assertEquals(expected, pool.submit(() -> Signatures.signResult(key, "abc", 1, ResultStatus.COMPLETED, 7,
                v)).get());
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void tamperedValueHeaderOrTimestampFailsVerification() {
    WireCodec codec = WireCodec.defaults();
    String key = Signatures.randomToken();
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
    var env = new ResultEnvelope("abc", 1, ResultStatus.COMPLETED, null, null, "w-1", 5);
    SignedResult r = SignedResult.sign(codec, env, "w-1", key, clock);
    assertTrue(r.verify(key));

    byte[] tampered = r.value().clone();
    tampered[tampered.length - 2] ^= 1;
    assertFalse(new SignedResult(env, tampered, "w-1", r.timestampMillis(), r.signature()).verify(key));
    assertFalse(new SignedResult(env, r.value(), "w-1", r.timestampMillis() + 1, r.signature()).verify(key));
    var otherStatus = new ResultEnvelope("abc", 1, ResultStatus.FAILED, null, null, "w-1", 5);
    assertFalse(new SignedResult(otherStatus, r.value(), "w-1", r.timestampMillis(), r.signature()).verify(key));
    var otherAttempt = new ResultEnvelope("abc", 2, ResultStatus.COMPLETED, null, null, "w-1", 5);
    assertFalse(new SignedResult(otherAttempt, r.value(), "w-1", r.timestampMillis(), r.signature()).verify(key));
    assertFalse(r.verify(Signatures.randomToken()));
    assertFalse(Signatures.checkResult("not base64!", "abc", 1, ResultStatus.COMPLETED, 1, r.value(), r.signature()));
  }

  @Test
  void timestampWindowRefusesStaleAndFutureTimestamps() {
    TimestampWindow w = new TimestampWindow(Duration.ofMinutes(5), Duration.ofSeconds(30));
    Instant now = Instant.parse("2026-11-28T10:00:00Z");
    assertTrue(w.accepts(now.toEpochMilli(), now));
    assertTrue(w.accepts(now.minusSeconds(299).toEpochMilli(), now));
    assertFalse(w.accepts(now.minusSeconds(301).toEpochMilli(), now));
    assertFalse(w.accepts(now.plusSeconds(31).toEpochMilli(), now));
    assertEquals(-1, TimestampWindow.parse("12a"));
    assertEquals(-1, TimestampWindow.parse(null));
    assertEquals(5, TimestampWindow.parse("5"));
    assertEquals(0, TimestampWindow.parse("0"));
    // Only the spelling that is signed: another one of the same number is not the signed string.
    assertEquals(-1, TimestampWindow.parse("+5"));
    assertEquals(-1, TimestampWindow.parse("05"));
    assertEquals(-1, TimestampWindow.parse("-5"));
  }

  @Test
  void secretShorterThan32IsRefusedWithAClearError() {
    GoWorkException e = assertThrows(GoWorkException.class, () -> SharedSecret.of("short"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    assertFalse(e.getMessage().contains("short"), "the error must not echo the secret");
  }

  @Test
  void secretComesFromEnvOrFileAndIsMasked(@TempDir Path dir) throws Exception {
    assertEquals("SharedSecret[****]", SharedSecret.of(SECRET).toString());
    assertTrue(SharedSecret.fromEnv(Map.of("GOWORK_SECRET", SECRET)).sameAs(SharedSecret.of(SECRET)));
    Path f = dir.resolve("secret");
    Files.writeString(f, SECRET + "\n");
    assertTrue(SharedSecret.fromEnv(Map.of("GOWORK_SECRET_FILE", f.toString())).sameAs(SharedSecret.of(SECRET)));
    GoWorkException none = assertThrows(GoWorkException.class, () -> SharedSecret.fromEnv(Map.of()));
    assertTrue(none.getMessage().contains("GOWORK_SECRET"), none.getMessage());
    GoWorkException missingFile = assertThrows(GoWorkException.class,
        () -> SharedSecret.fromEnv(Map.of("GOWORK_SECRET_FILE", dir.resolve("nope").toString())));
    assertTrue(missingFile.getMessage().contains("GOWORK_SECRET_FILE"), missingFile.getMessage());
    GoWorkException both = assertThrows(GoWorkException.class,
        () -> SharedSecret.fromEnv(Map.of("GOWORK_SECRET", SECRET, "GOWORK_SECRET_FILE", f.toString())));
    assertEquals("GOWORK_SECRET and GOWORK_SECRET_FILE are both set; set one", both.getMessage());
    Path huge = Files.write(dir.resolve("huge"), new byte[SharedSecret.MAX_FILE_BYTES + 1]);
    GoWorkException tooLarge = assertThrows(GoWorkException.class,
        () -> SharedSecret.fromEnv(Map.of("GOWORK_SECRET_FILE", huge.toString())));
    assertTrue(tooLarge.getMessage().startsWith("GOWORK_SECRET_FILE names a file over 64 KiB"), tooLarge.getMessage());
  }

  @Test
  void forwardedRequestSignatureMatchesTheDocumentedFormulaAndBindsTimeValueAndSecret() throws Exception {
    byte[] value = "{\"request\":\"cancel\",\"id\":\"w1\"}".getBytes(StandardCharsets.UTF_8);
    String expected = independentHmac(SECRET.getBytes(StandardCharsets.UTF_8),
        "gowork-request:v1\n1700000000000\n" + hexSha256(value));
    byte[] s = SECRET.getBytes(StandardCharsets.UTF_8);
    assertEquals(expected, Signatures.signRequest(s, 1_700_000_000_000L, value));
    assertTrue(Signatures.checkRequest(s, 1_700_000_000_000L, value, expected));
    assertFalse(Signatures.checkRequest(s, 1_700_000_000_001L, value, expected));
    assertFalse(Signatures.checkRequest(s, 1_700_000_000_000L, "{}".getBytes(StandardCharsets.UTF_8), expected));
    assertFalse(Signatures.checkRequest((SECRET + "x").getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L, value,
        expected));
    assertFalse(Signatures.checkRequest(null, 1_700_000_000_000L, value, expected));
    assertFalse(Signatures.checkRequest(s, 1_700_000_000_000L, value, null));
  }

  @Test
  void constantTimeEqualsHandlesNulls() {
    assertTrue(Signatures.constantTimeEquals("a", "a"));
    assertFalse(Signatures.constantTimeEquals("a", "b"));
    assertFalse(Signatures.constantTimeEquals(null, "b"));
  }
}
