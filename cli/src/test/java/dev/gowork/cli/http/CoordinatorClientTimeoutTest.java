package dev.gowork.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.settings.CliException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A server that accepts and never answers, as a plain-HTTP coordinator does to a TLS hello. */
class CoordinatorClientTimeoutTest {
  /** The message of a GET to a server that accepts and never answers, by a client with these timeouts. */
  private static String timeoutMessage(String scheme, Duration requestTimeout, Duration connectTimeout)
      throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept());
          }
        } catch (Exception closed) {
          // the test is over
        }
      });
      accept.setDaemon(true);
      accept.start();
      URI base = URI.create(scheme + "://127.0.0.1:" + silent.getLocalPort());
      CoordinatorClient client = new CoordinatorClient(base, "tok", "GOWORK_COORDINATOR_URL", requestTimeout, null,
          connectTimeout);
      CliException e = assertThrows(CliException.class, () -> client.get("/v1/queues"));
      assertEquals(CliException.FAILED, e.exitCode());
      return e.getMessage();
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void silenceOnAnHttpsUrlEndsAtTheConnectTimeoutAndSuggestsThatTheCoordinatorServesPlainHttp() throws Exception {
    // The TLS handshake is part of the connect: a plain-HTTP server that never answers the hello fails it
    // after the connect timeout (the producer commands' request timeout, 60 s, is for the answer).
    String m = timeoutMessage("https", Duration.ofSeconds(60), Duration.ofSeconds(1));
    assertTrue(m.contains("no connection and TLS handshake within 1 s"), m);
    assertTrue(m.contains("use http:// in GOWORK_COORDINATOR_URL"), m);
  }

  @Test
  void theCommandsConnectTimeoutIsShorterThanTheirRequestTimeout() throws Exception {
    String m = timeoutMessage("https", Duration.ofSeconds(60), CoordinatorClient.CONNECT_TIMEOUT);
    assertTrue(m.contains("within " + CoordinatorClient.CONNECT_TIMEOUT.toSeconds() + " s ("), m);
    assertTrue(CoordinatorClient.CONNECT_TIMEOUT.toSeconds() <= 5, "connect timeout " + CoordinatorClient.CONNECT_TIMEOUT);
  }

  @Test
  void aRequestTimeoutShorterThanTheConnectTimeoutEndsTheConnectAndIsNamed() throws Exception {
    String m = timeoutMessage("https", Duration.ofSeconds(2), Duration.ofSeconds(60));
    assertTrue(m.contains("within 2 s"), m);
  }

  @Test
  void silenceOnAnHttpUrlIsOnlyATimeout() throws Exception {
    String m = timeoutMessage("http", Duration.ofSeconds(2), Duration.ofSeconds(1));
    assertTrue(m.contains("no answer within 2 s"), m);
    assertFalse(m.contains("use http://"), m);
  }

  @Test
  void anAnswerThatComesAfterTheConnectTimeoutIsStillRead() throws Exception {
    // A long poll (?wait=30) answers long after the connection was made: only the request timeout applies.
    CountDownLatch asked = new CountDownLatch(1);
    try (StubCoordinator slow = new StubCoordinator()) {
      slow.on("GET", "/v1/work/w", r -> {
        asked.countDown();
        try {
          // The JDK client's timer runs on wall time: wait out twice the connect timeout before answering.
          Thread.sleep(400);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new StubCoordinator.Answer(200, "{\"state\":\"completed\"}");
      });
      CoordinatorClient client = new CoordinatorClient(URI.create(slow.url()), "tok", "GOWORK_COORDINATOR_URL",
          Duration.ofSeconds(30), null, Duration.ofMillis(200));
      assertEquals("completed", client.get("/v1/work/w").path("state").asText());
      assertEquals(0, asked.getCount());
    }
  }
}
