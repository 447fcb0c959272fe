package dev.gowork.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.TestCertificate;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS failures name their cause and the fix that fits it. */
class CoordinatorClientTlsTest {
  private static String failure(TestCertificate cert, String host) throws Exception {
    try (StubCoordinator https = new StubCoordinator(cert.server())) {
      https.on("GET", "/v1/queues", r -> new StubCoordinator.Answer(200, "{\"queues\":{}}"));
      URI base = URI.create(https.url().replace("127.0.0.1", host));
      CoordinatorClient client = new CoordinatorClient(base, "tok", "GOWORK_COORDINATOR_URL", Duration.ofSeconds(30),
          TrustedCertificates.fromPem(cert.certificate(), "GOWORK_COORDINATOR_CA_FILE"));
      CliException e = assertThrows(CliException.class, () -> client.get("/v1/queues"));
      assertEquals(CliException.FAILED, e.exitCode());
      return e.getMessage();
    }
  }

  @Test
  void aTrustedCertificateForAnotherHostSaysSoAndNotToNameACaFile(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123", "CN=coordinator.example",
        "dns:coordinator.example");
    String m = failure(cert, "127.0.0.1");
    assertTrue(m.contains("does not match the host name '127.0.0.1'"), m);
    assertTrue(m.contains("use a host name the certificate names in GOWORK_COORDINATOR_URL")
        && m.contains("(as an IP address entry)"), m);
    assertFalse(m.contains("GOWORK_COORDINATOR_CA_FILE") || m.contains("private CA"), m);
  }

  @Test
  void aPlainTextAnswerToTheTlsHelloSuggestsHttp() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> {
        try (Socket s = plain.accept()) {
          s.getInputStream().read(new byte[512]);
          s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException closed) {
          // the test is over
        }
      });
      answer.setDaemon(true);
      answer.start();
      CoordinatorClient client = new CoordinatorClient(URI.create("https://127.0.0.1:" + plain.getLocalPort()), "tok",
          "GOWORK_COORDINATOR_URL", Duration.ofSeconds(30));
      String m = assertThrows(CliException.class, () -> client.get("/v1/queues")).getMessage();
      assertTrue(m.contains("did not answer in TLS") && m.contains("use http:// in GOWORK_COORDINATOR_URL"), m);
    }
  }

  @Test
  void aCertificateWithoutAlternativeNamesForAnotherHostSaysSoToo(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123", "CN=coordinator.example", null);
    String m = failure(cert, "localhost");
    assertTrue(m.contains("does not match the host name 'localhost'") && !m.contains("IP address"), m);
    assertFalse(m.contains("GOWORK_COORDINATOR_CA_FILE"), m);
  }
}
