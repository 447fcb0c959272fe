package dev.gowork.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.testing.FakeClock;
import dev.gowork.worker.testing.IndependentHmac;
import dev.gowork.worker.testing.Works;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WorkerTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  final FakeClock clock = FakeClock.at("2026-11-28T10:00:00Z");
  final String challenge = Signatures.randomToken();
  final String sessionKey = Signatures.randomToken();

  Worker worker() {
    return Worker.create(SharedSecret.of(SECRET), "w-0123456789abcdef", challenge, clock);
  }

  @Test
  void createComputesTheVerifyResponseOfTheContract() throws Exception {
    Worker w = worker();
    assertEquals("w-0123456789abcdef", w.id());
    assertEquals(IndependentHmac.verifyResponse(SECRET, "w-0123456789abcdef", challenge), w.clientResponse());
    assertEquals(w.clientResponse(), w.verification().clientResponse());
    assertEquals(w.clientResponse(), Worker.create(SECRET, "w-0123456789abcdef", challenge).clientResponse());
  }

  @Test
  void tooShortSecretIsInvalidArgument() {
    GoWorkException e = assertThrows(GoWorkException.class, () -> Worker.create("short", "w-1", challenge));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("32"), e.getMessage());
  }

  @Test
  void blankOrMalformedChallengeOrIdIsInvalidArgument() {
    SharedSecret s = SharedSecret.of(SECRET);
    for (String bad : new String[] {null, "", "   ", "not base64 !", "x".repeat(2000)}) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> Worker.create(s, "w-1", bad));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
    assertThrows(GoWorkException.class, () -> Worker.create(s, " ", challenge));
    assertThrows(GoWorkException.class, () -> Worker.create(s, "w 1\n", challenge));
  }

  @Test
  void processReturnsTheDataAndSubmitSignsAResultThatVerifiesIndependently() throws Exception {
    Worker w = worker().setAuthenticationKey(sessionKey);
    WorkEnvelope work = Works.work("default", Works.data().put("n", 7), clock.instant(), Duration.ofSeconds(30));

    Processed p = w.process(work);
    assertEquals(7, p.data().get("n").asInt());
    clock.advance(Duration.ofSeconds(2));
    JsonNode result = Works.data().put("doubled", 14);
    SignedResult signed = w.submit(p.work(), result, null);

    assertEquals(ResultStatus.COMPLETED, signed.result().status());
    assertEquals("w-0123456789abcdef", signed.workerId());
    assertEquals(clock.millis(), signed.timestampMillis());
    assertEquals(IndependentHmac.resultSignature(sessionKey, work.workId(), 1, "completed",
        Long.toString(signed.timestampMillis()), signed.value()), signed.signature());
    JsonNode value = WireCodec.defaults().parse(signed.value()).value();
    assertEquals(14, value.get("result").get("doubled").asInt());
    assertTrue(value.get("error").isNull());
  }

  @Test
  void submitWithAnErrorIsFailed() throws Exception {
    Worker w = worker().setAuthenticationKey(sessionKey);
    WorkEnvelope work = Works.work("default", Works.data(), clock.instant(), Duration.ofSeconds(30));
    SignedResult signed = w.submit(work, null, "disk full", Duration.ofMillis(40));
    assertEquals(ResultStatus.FAILED, signed.result().status());
    assertEquals("disk full", signed.result().error());
    assertNull(signed.result().result());
    assertEquals(40, signed.result().durationMs());
    assertEquals(IndependentHmac.resultSignature(sessionKey, work.workId(), 1, "failed",
        Long.toString(signed.timestampMillis()), signed.value()), signed.signature());
  }

  @Test
  void timedOutWorkCannotBeProcessedNorSubmitted() {
    Worker w = worker().setAuthenticationKey(sessionKey);
    WorkEnvelope work = Works.work("default", Works.data(), clock.instant(), Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(5));
    assertEquals(ErrorCode.TIMED_OUT, assertThrows(GoWorkException.class, () -> w.process(work)).code());
    assertEquals(ErrorCode.TIMED_OUT,
        assertThrows(GoWorkException.class, () -> w.submit(work, null, null)).code());
  }

  @Test
  void processParsesMarshalledWorkAndRefusesGarbage() {
    Worker w = worker();
    WorkEnvelope work = Works.work("q", Works.data().put("a", "b"), clock.instant(), Duration.ofSeconds(9));
    String marshalled = new String(WireCodec.defaults().encode(work), StandardCharsets.UTF_8);
    assertEquals("b", w.process(marshalled).data().get("a").asText());
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class, () -> w.process("{nope")).code());
    assertEquals(ErrorCode.MALFORMED, assertThrows(GoWorkException.class, () -> w.process("{}")).code());
  }

  @Test
  void submitNeedsASessionKeyAndToStringHidesIt() {
    Worker w = worker();
    assertFalse(w.isAuthenticated());
    WorkEnvelope work = Works.work("q", Works.data(), clock.instant(), Duration.ofSeconds(9));
    assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, () -> w.submit(work, null, null)).code());
    assertThrows(GoWorkException.class, () -> w.setAuthenticationKey("not base64 !"));
    w.setAuthenticationKey(sessionKey);
    assertFalse(w.toString().contains(sessionKey));
    assertFalse(w.toString().contains(w.clientResponse()));
  }

  @Test
  void expiryIsDecidedByTheInjectedClock() {
    Worker w = worker().setAuthenticationKey(sessionKey);
    Instant created = clock.instant();
    WorkEnvelope work = Works.work("q", Works.data(), created, Duration.ofSeconds(10));
    clock.advance(Duration.ofMillis(9_999));
    w.process(work);
    clock.advance(Duration.ofMillis(1));
    assertThrows(GoWorkException.class, () -> w.process(work));
  }
}
