package dev.gowork.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.testing.TestCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The API over HTTPS (GOWORK_TLS_KEYSTORE): a whole job's round trip, and what a plain or untrusting client gets. */
@ExtendWith(KafkaExtension.class)
class TlsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aWorkerAndAProducerTalkToTheCoordinatorOverHttpsOnly(TestKafka kafka, @TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir, "keystore-pass-0123");
    Path passwordFile = Files.writeString(dir.resolve("password"), cert.password() + "\n");
    Map<String, String> env = RunningService.env(kafka);
    env.put("GOWORK_TLS_KEYSTORE", cert.keyStore().toString());
    env.put("GOWORK_TLS_KEYSTORE_PASSWORD_FILE", passwordFile.toString());
    env.put("GOWORK_MANAGEMENT_PORT", "0");
    HttpClient trusting = HttpClient.newBuilder().sslContext(cert.trustingClient())
        .connectTimeout(Duration.ofSeconds(5)).build();
    try (RunningService api = RunningService.start(env, trusting)) {
      assertEquals("https", api.base.getScheme(), api.base.toString());

      DocOnlyWorker worker = new DocOnlyWorker(api.base, RunningService.SECRET, trusting).handshake();
      RunningService.Response added = api.producer("POST", "/v1/work", "{\"data\":{\"n\":1},\"timeoutSeconds\":60}");
      assertEquals(202, added.status(), added.toString());
      String id = added.json().get("workId").asText();
      JsonNode work = null;
      for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); work == null && System.nanoTime() < end; ) {
        work = worker.next("default").orElse(null);
      }
      assertEquals(id, work.get("workId").asText());
      assertEquals(202, worker.submit(work, "completed", JSON.readTree("{\"ok\":true}"), null));
      // 202: the result is on the results topic; the coordinator applies it from there a moment later.
      String state = null;
      for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          !"completed".equals(state) && System.nanoTime() < end; Thread.sleep(20)) {
        state = api.producer("GET", "/v1/work/" + id, null).json().get("state").asText();
      }
      assertEquals("completed", state);

      int management = api.service.managementPort().getAsInt();
      HttpResponse<String> probe = trusting.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + management + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, probe.statusCode(), "the management port serves HTTPS too");

      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI insecure = URI.create("http://127.0.0.1:" + api.base.getPort() + "/healthz");
      assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(insecure)
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()), "no plain HTTP");
      assertThrows(SSLHandshakeException.class, () -> plain.send(HttpRequest.newBuilder(api.base.resolve("/healthz"))
          .build(), HttpResponse.BodyHandlers.ofString()), "a client that does not trust the certificate stops");
      assertTrue(trusting.send(HttpRequest.newBuilder(api.base.resolve("/dashboard")).build(),
          HttpResponse.BodyHandlers.ofString()).body().contains("<html"), "the dashboard over HTTPS");
    }
  }
}
