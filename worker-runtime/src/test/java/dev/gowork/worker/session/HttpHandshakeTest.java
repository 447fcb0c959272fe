package dev.gowork.worker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.testing.TestCertificate;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.worker.testing.StubCoordinator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpHandshakeTest {
  static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret!";
  final StubCoordinator coordinator;

  HttpHandshakeTest() throws Exception {
    coordinator = new StubCoordinator(SECRET, "127.0.0.1:9", "gw");
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  HttpHandshake handshake(String secret) {
    return new HttpHandshake(coordinator.url(), SharedSecret.of(secret), "default", "test-1", Clock.systemUTC());
  }

  @Test
  void registersVerifiesAndReadsTheSessionAndKafka() {
    coordinator.sessionLife(Duration.ofMinutes(10));
    Session s = handshake(SECRET).authenticate();
    assertTrue(s.workerId().startsWith("w-"));
    assertEquals(coordinator.sessionKey(s.workerId()), s.sessionKey());
    assertEquals("127.0.0.1:9", s.bootstrapServers());
    assertEquals("gw", s.topicPrefix());
    assertTrue(s.expiresAt().isAfter(Instant.now().plus(Duration.ofMinutes(9))));
    assertFalse(s.toString().contains(s.sessionKey()));
  }

  @Test
  void overHttpsItTrustsTheCaFileAndStopsAtOnceOnACertificateItDoesNotTrust(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123");
    try (StubCoordinator https = new StubCoordinator(SECRET, "127.0.0.1:9", "gw", cert.server())) {
      assertEquals("https", https.url().getScheme());
      Session s = new HttpHandshake(https.url(), SharedSecret.of(SECRET), "default", "test-1", Clock.systemUTC(),
          TrustedCertificates.fromPem(cert.certificate(), "GOWORK_COORDINATOR_CA_FILE")).authenticate();
      assertEquals(https.sessionKey(s.workerId()), s.sessionKey());

      GoWorkException e = assertThrows(GoWorkException.class, () -> new HttpHandshake(https.url(),
          SharedSecret.of(SECRET), "default", "test-1", Clock.systemUTC()).authenticate());
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), "not retried: retrying will not make it trusted");
      assertTrue(e.getMessage().contains("TLS handshake") && e.getMessage().contains("GOWORK_COORDINATOR_CA_FILE")
          && e.getMessage().contains("not signed by a certificate this client trusts"), e.getMessage());
    }
    GoWorkException notPem = assertThrows(GoWorkException.class,
        () -> TrustedCertificates.fromPem(cert.keyStore(), "GOWORK_COORDINATOR_CA_FILE"));
    assertTrue(notPem.getMessage().startsWith("GOWORK_COORDINATOR_CA_FILE"), notPem.getMessage());
    GoWorkException missing = assertThrows(GoWorkException.class,
        () -> TrustedCertificates.fromPem(dir.resolve("nope.pem"), "GOWORK_COORDINATOR_CA_FILE"));
    assertTrue(missing.getMessage().contains("no readable file"), missing.getMessage());
  }

  @Test
  void aTrustedCertificateForAnotherHostSaysSoAndNotToNameACaFile(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123", "CN=coordinator.example",
        "dns:coordinator.example");
    try (StubCoordinator https = new StubCoordinator(SECRET, "127.0.0.1:9", "gw", cert.server())) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> new HttpHandshake(https.url(),
          SharedSecret.of(SECRET), "default", "test-1", Clock.systemUTC(),
          TrustedCertificates.fromPem(cert.certificate(), "GOWORK_COORDINATOR_CA_FILE")).authenticate());
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("does not match the host name '127.0.0.1'")
          && e.getMessage().contains("use a host name the certificate names in GOWORK_COORDINATOR_URL")
          && e.getMessage().contains("(as an IP address entry)"), e.getMessage());
      assertFalse(e.getMessage().contains("GOWORK_COORDINATOR_CA_FILE"), e.getMessage());
    }
  }

  @Test
  void aServerWhoseChallengeIsNotMadeWithTheSecretGetsNoAnswer() {
    coordinator.forgeChallenges();
    GoWorkException e = assertThrows(GoWorkException.class, () -> handshake(SECRET).authenticate());
    assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
    assertTrue(e.getMessage().contains("was not made with this worker's GOWORK_SECRET"), e.getMessage());
    assertEquals(0, coordinator.verifications(), "the worker never answered the forged challenge");
  }

  @Test
  void aWrongSecretIsUnauthenticatedAndNamesTheSetting() {
    GoWorkException e = assertThrows(GoWorkException.class,
        () -> handshake("another-secret-another-secret-12345").authenticate());
    assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
    assertTrue(e.getMessage().contains("GOWORK_SECRET"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET));
  }

  @Test
  void aCoordinatorThatIsNotUpIsUnavailable() {
    coordinator.unavailableFor(1);
    assertEquals(ErrorCode.UNAVAILABLE, assertThrows(GoWorkException.class, () -> handshake(SECRET).authenticate()).code());
    HttpHandshake nowhere = new HttpHandshake(URI.create("http://127.0.0.1:1"), SharedSecret.of(SECRET), "default",
        "t", Clock.systemUTC());
    assertEquals(ErrorCode.UNAVAILABLE, assertThrows(GoWorkException.class, nowhere::authenticate).code());
  }

  @Test
  void anUnreachableCoordinatorIsSaidInWordsWithWhatToCheck() throws Exception {
    int closedPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = free.getLocalPort();
    }
    GoWorkException refused = assertThrows(GoWorkException.class, () -> new HttpHandshake(
        URI.create("http://127.0.0.1:" + closedPort), SharedSecret.of(SECRET), "default", "t", Clock.systemUTC())
        .authenticate());
    assertEquals("the coordinator at http://127.0.0.1:" + closedPort + " is not reachable (register): connection "
        + "refused (is the coordinator running, and is GOWORK_COORDINATOR_URL its address?)", refused.getMessage());

    GoWorkException unknown = assertThrows(GoWorkException.class, () -> new HttpHandshake(
        URI.create("http://no-such-host.invalid:8080"), SharedSecret.of(SECRET), "default", "t", Clock.systemUTC())
        .authenticate());
    assertEquals(ErrorCode.UNAVAILABLE, unknown.code());
    assertTrue(unknown.getMessage().endsWith("(register): unknown host 'no-such-host.invalid' (check "
        + "GOWORK_COORDINATOR_URL)"), unknown.getMessage());
  }

  @Test
  void aWrongUrlIsAnInvalidSettingNamingIt() {
    HttpHandshake wrong = new HttpHandshake(URI.create(coordinator.url() + "/nope"), SharedSecret.of(SECRET),
        "default", "t", Clock.systemUTC());
    GoWorkException e = assertThrows(GoWorkException.class, wrong::authenticate);
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("GOWORK_COORDINATOR_URL"), e.getMessage());
  }

  @Test
  void sessionRenewsAtAFractionOfItsLife() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Session s = new Session("w-1", "a2V5a2V5a2V5a2V5a2V5a2V5", t, t.plusSeconds(100), null, null);
    assertEquals(t.plusSeconds(80), s.renewAt(0.8));
    assertTrue(s.isValid(t.plusSeconds(99)));
    assertFalse(s.isValid(t.plusSeconds(100)));
    assertTrue(s.kafkaBootstrapServers().isEmpty());
  }
}
