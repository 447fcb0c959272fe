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
import org.junit.jupiter.api.Test;

/** A server that accepts and never answers, as a plain-HTTP coordinator does to a TLS hello. */
class CoordinatorClientTimeoutTest {
  private static String timeoutMessage(String scheme) throws Exception {
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
      CoordinatorClient client = new CoordinatorClient(base, "tok", "GOWORK_COORDINATOR_URL", Duration.ofSeconds(2));
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
  void silenceOnAnHttpsUrlSuggestsThatTheCoordinatorServesPlainHttp() throws Exception {
    String m = timeoutMessage("https");
    assertTrue(m.contains("no answer within 2 s"), m);
    assertTrue(m.contains("use http:// in GOWORK_COORDINATOR_URL"), m);
  }

  @Test
  void silenceOnAnHttpUrlIsOnlyATimeout() throws Exception {
    String m = timeoutMessage("http");
    assertTrue(m.contains("no answer within 2 s"), m);
    assertFalse(m.contains("use http://"), m);
  }
}
