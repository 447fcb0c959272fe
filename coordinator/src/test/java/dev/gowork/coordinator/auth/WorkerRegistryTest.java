package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerRegistryTest {
  private static final SharedSecret SECRET = SharedSecret.of("0123456789abcdef0123456789abcdef");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventLog log = new EventLog();
  private final EventDispatcher events = new EventDispatcher(clock, log);
  private final WorkerRegistry registry = new WorkerRegistry(SECRET, clock, clock::nanoTime, events,
      AuthSettings.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  private Session handshake() {
    Registration r = registry.register();
    return registry.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  private GoWorkException refused(String workerId, String response) {
    return assertThrows(GoWorkException.class, () -> registry.verify(workerId, response));
  }

  @Test
  void registerThenVerifyOpensASessionWithAnHourToLive() {
    Registration r = registry.register();
    assertTrue(r.workerId().matches("w-[0-9a-f]{16}-[0-9a-z]+"), r.workerId());
    assertEquals(44, r.challenge().length());
    Session s = registry.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
    assertEquals(clock.instant().plus(Duration.ofHours(1)), s.expiresAt());
    assertTrue(registry.authenticate(r.workerId(), s.sessionKey()));
    assertFalse(registry.authenticate(r.workerId(), Signatures.randomToken()));
    assertFalse(s.toString().contains(s.sessionKey()));
    assertEquals(WorkerState.ACTIVE, registry.list().get(0).state());
    events.close();
    assertEquals(1, log.of(EventType.WORKER_REGISTERED).size());
    assertEquals(1, log.of(EventType.WORKER_VERIFY).size());
  }

  @Test
  void sessionKeyIsDerivedFromSecretWorkerNonceAndExpiry() throws Exception {
    Session s = handshake();
    // The nonce is private; recompute the derivation with a known nonce instead.
    String derived = new SessionKeys(SECRET).derive("w-1", "nonce", 42L);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.utf8(), "HmacSHA256"));
    String expected = Base64.getEncoder().encodeToString(
        mac.doFinal("gowork-session:v1\nw-1\nnonce\n42".getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, derived);
    assertEquals(32, Base64.getDecoder().decode(s.sessionKey()).length);
  }

  @Test
  void wrongAnswersAreRefusedAndRevealNothing() {
    Registration r = registry.register();
    GoWorkException wrong = refused(r.workerId(), "bm9wZQ==");
    GoWorkException unknown = refused("w-0000000000000000", "bm9wZQ==");
    GoWorkException nul = refused(r.workerId(), null);
    assertEquals(ErrorCode.UNAUTHENTICATED, wrong.code());
    assertEquals(wrong.getMessage(), unknown.getMessage());
    assertEquals(wrong.getMessage(), nul.getMessage());
    events.close();
    assertEquals(3, log.of(EventType.WORKER_VERIFY_ERROR).size());
  }

  @Test
  void theChallengeIsSingleUse() {
    Registration r = registry.register();
    String answer = Signatures.verifyResponse(SECRET, r.workerId(), r.challenge());
    registry.verify(r.workerId(), answer);
    assertEquals(ErrorCode.UNAUTHENTICATED, refused(r.workerId(), answer).code());
  }

  @Test
  void theChallengeExpiresAfterFiveMinutes() {
    Registration r = registry.register();
    clock.advance(Duration.ofMinutes(5));
    String answer = Signatures.verifyResponse(SECRET, r.workerId(), r.challenge());
    assertEquals(ErrorCode.UNAUTHENTICATED, refused(r.workerId(), answer).code());
    registry.expireSessions();
    assertTrue(registry.list().isEmpty(), "unanswered registrations are dropped");
  }

  @Test
  void failuresAreRateLimitedPerWorkerEvenForTheRightAnswer() {
    Registration r = registry.register();
    for (int i = 0; i < 5; i++) {
      assertEquals(ErrorCode.UNAUTHENTICATED, refused(r.workerId(), "x").code());
    }
    String answer = Signatures.verifyResponse(SECRET, r.workerId(), r.challenge());
    assertEquals(ErrorCode.RATE_LIMITED, refused(r.workerId(), answer).code());
    Registration other = registry.register();
    registry.verify(other.workerId(), Signatures.verifyResponse(SECRET, other.workerId(), other.challenge()));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(r.workerId(), registry.verify(r.workerId(), answer).workerId());
  }

  @Test
  void aFloodOfWrongAnswersForOtherIdsNeverRefusesARightOneAndReportsAtTheGlobalRate() {
    for (int i = 0; i < 1000; i++) {
      assertEquals(ErrorCode.UNAUTHENTICATED, refused("w-unknown" + i, "x").code());
    }
    Registration r = registry.register();
    String answer = Signatures.verifyResponse(SECRET, r.workerId(), r.challenge());
    assertEquals(r.workerId(), registry.verify(r.workerId(), answer).workerId());
    events.close();
    assertEquals(100, log.of(EventType.WORKER_VERIFY_ERROR).size(), "the burst of 100 is reported, the rest is not");
  }

  @Test
  void sessionsExpireAfterTheirTtlAndFireWorkerExpiredOnce() {
    Session s = handshake();
    clock.advance(Duration.ofMinutes(59));
    assertTrue(registry.authenticate(s.workerId(), s.sessionKey()));
    assertTrue(registry.sessionKey(s.workerId()).isPresent());
    clock.advance(Duration.ofMinutes(1));
    assertTrue(registry.sessionKey(s.workerId()).isEmpty());
    assertFalse(registry.authenticate(s.workerId(), s.sessionKey()));
    assertEquals(0, registry.expireSessions());
    assertEquals(WorkerState.EXPIRED, registry.list().get(0).state());
    events.close();
    assertEquals(1, log.of(EventType.WORKER_EXPIRED).size());
  }

  @Test
  void theSweepEndsExpiredSessionsAndLaterForgetsThem() {
    Session s = handshake();
    clock.advance(Duration.ofHours(1));
    assertEquals(1, registry.expireSessions());
    assertEquals(0, registry.expireSessions());
    clock.advance(Duration.ofHours(2));
    registry.expireSessions();
    assertTrue(registry.list().isEmpty());
    assertFalse(registry.authenticate(s.workerId(), s.sessionKey()));
  }

  @Test
  void revokeEndsTheSessionAtOnce() {
    Session s = handshake();
    registry.revoke(s.workerId());
    registry.revoke(s.workerId());
    assertFalse(registry.authenticate(s.workerId(), s.sessionKey()));
    assertEquals(WorkerState.REVOKED, registry.list().get(0).state());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(GoWorkException.class, () -> registry.revoke("w-x")).code());
    events.close();
    assertEquals(1, log.of(EventType.WORKER_EXPIRED).size());
  }

  @Test
  void aWorkerIsRevokedOnlyByTheCoordinatorThatDecidesAboutIt() {
    Session s = handshake();
    registry.endsSessionsOf(id -> false);
    assertEquals(ErrorCode.CONFLICT, assertThrows(GoWorkException.class, () -> registry.revoke(s.workerId())).code());
    assertTrue(registry.authenticate(s.workerId(), s.sessionKey()), "the session stays open");
    java.util.List<String> forwarded = new java.util.ArrayList<>();
    registry.forwardsRevocationsTo(forwarded::add);
    registry.revoke(s.workerId());
    assertEquals(java.util.List.of(s.workerId()), forwarded, "sent to the coordinator that decides");
    assertTrue(registry.authenticate(s.workerId(), s.sessionKey()), "which ends it, not this one");
    registry.endsSessionsOf(id -> true);
    registry.revoke(s.workerId());
    assertFalse(registry.authenticate(s.workerId(), s.sessionKey()));
    events.close();
    assertEquals(1, log.of(EventType.WORKER_EXPIRED).size());
  }

  @Test
  void eachSessionHasItsOwnKey() {
    assertNotEquals(handshake().sessionKey(), handshake().sessionKey());
  }

  private static Session handshake(WorkerRegistry with) {
    Registration r = with.register();
    return with.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
  }

  private WorkerRegistry capped(int maxWorkers) {
    return new WorkerRegistry(SECRET, clock, clock::nanoTime, events, new AuthSettings(Duration.ofHours(1),
        Duration.ofMinutes(5), 5, Duration.ofSeconds(10), 100, Duration.ofMillis(100), maxWorkers));
  }

  @Test
  void verifiedWorkersAreCapped() {
    WorkerRegistry small = capped(2);
    handshake(small);
    handshake(small);
    Registration third = small.register();
    assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GoWorkException.class, () -> small.verify(third.workerId(),
        Signatures.verifyResponse(SECRET, third.workerId(), third.challenge()))).code());
  }

  @Test
  void aFloodOfAnonymousRegistrationsAndMadeUpIdsNeverLocksOutARealWorker() {
    WorkerRegistry small = capped(10);
    Registration early = small.register();
    for (int i = 0; i < 1000; i++) {
      small.register();
    }
    for (int i = 0; i < 100; i++) {
      String madeUp = "w-" + String.format("%016x", i) + "-" + Long.toString(clock.millis(), 36);
      assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, () -> small.verify(madeUp,
          "wrong")).code());
    }
    // Unanswered registrations are bounded, oldest first...
    assertEquals(10, small.list().size());
    assertTrue(small.list().stream().allMatch(w -> w.state() == WorkerState.PENDING));
    // ...and neither they nor the made-up ids take a place a real worker needs.
    Session late = handshake(small);
    assertTrue(small.authenticate(late.workerId(), late.sessionKey()));
    // One pushed out of the table still verifies: its challenge is derived from its id.
    Session first = small.verify(early.workerId(), Signatures.verifyResponse(SECRET, early.workerId(),
        early.challenge()));
    assertTrue(small.authenticate(first.workerId(), first.sessionKey()));
    // Single use still holds for it.
    assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, () -> small.verify(
        early.workerId(), Signatures.verifyResponse(SECRET, early.workerId(), early.challenge()))).code());
  }

  @Test
  void unansweredRegistrationsAreForgottenWhenTheirChallengeExpires() {
    registry.register();
    assertEquals(1, registry.list().size());
    clock.advance(AuthSettings.defaults().challengeTtl());
    registry.expireSessions();
    assertTrue(registry.list().isEmpty());
  }

  @Test
  void aWorkerMayVerifyWithAnotherCoordinatorOfThePrefixWhileItsChallengeIsOpen() {
    EventDispatcher otherEvents = new EventDispatcher(clock, new EventLog());
    WorkerRegistry other = new WorkerRegistry(SECRET, clock, clock::nanoTime, otherEvents, AuthSettings.defaults());
    try {
      Registration r = registry.register();
      clock.advance(Duration.ofMinutes(1));
      Session s = other.verify(r.workerId(), Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()));
      assertTrue(other.authenticate(r.workerId(), s.sessionKey()));
      // single use there too
      assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(GoWorkException.class, () -> other.verify(r.workerId(),
          Signatures.verifyResponse(SECRET, r.workerId(), r.challenge()))).code());

      Registration late = registry.register();
      clock.advance(AuthSettings.defaults().challengeTtl());
      assertThrows(GoWorkException.class, () -> other.verify(late.workerId(),
          Signatures.verifyResponse(SECRET, late.workerId(), late.challenge())));

      // A made-up id gets nowhere without the secret.
      String forged = "w-0000000000000000-" + Long.toString(clock.millis(), 36);
      SharedSecret wrong = SharedSecret.of("another-secret-another-secret-another!");
      assertThrows(GoWorkException.class, () -> other.verify(forged,
          Signatures.verifyResponse(wrong, forged, "guessed")));
    } finally {
      otherEvents.close();
    }
  }
}
