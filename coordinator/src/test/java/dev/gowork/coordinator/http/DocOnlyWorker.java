package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A worker written from docs/protocol.md (the contract's worker side) alone, as someone outside the project would: the JDK's HTTP
 * client and javax.crypto, Jackson, and Kafka's own clients; no GoWork class (a test checks this
 * file's imports). It registers, answers the challenge, then either fetches work over HTTP or reads
 * the work topic through the queue's share group, and reports a result the documented way.
 */
final class DocOnlyWorker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final URI base;
  private final String secret;
  String workerId;
  String sessionKey;
  JsonNode kafka;

  DocOnlyWorker(URI base, String secret) {
    this(base, secret, HttpClient.newHttpClient());
  }

  /** With {@code http} as the client, e.g. one that trusts the coordinator's TLS certificate. */
  DocOnlyWorker(URI base, String secret, HttpClient http) {
    this.base = base;
    this.secret = secret;
    this.http = http;
  }

  /** POST /v1/workers, then POST /v1/workers/{id}/verify with base64(HMAC-SHA256(secret, "gowork-verify:" + id + ":" + challenge)). */
  DocOnlyWorker handshake() throws Exception {
    return handshake(null);
  }

  /** The same, registering with {@code {"name"}} when {@code name} is not null. */
  DocOnlyWorker handshake(String name) throws Exception {
    ObjectNode registration = JSON.createObjectNode();
    if (name != null) {
      registration.put("name", name);
    }
    JsonNode reg = JSON.readTree(post("/v1/workers", registration.toString(), false).body());
    workerId = reg.get("workerId").asText();
    String response = hmac(secret.getBytes(StandardCharsets.UTF_8),
        "gowork-verify:" + workerId + ":" + reg.get("challenge").asText());
    ObjectNode body = JSON.createObjectNode().put("response", response);
    HttpResponse<String> verified = post("/v1/workers/" + workerId + "/verify", body.toString(), false);
    if (verified.statusCode() != 200) {
      throw new AssertionError("verify answered " + verified.statusCode() + " " + verified.body());
    }
    JsonNode session = JSON.readTree(verified.body());
    sessionKey = session.get("sessionKey").asText();
    kafka = session.get("kafka");
    return this;
  }

  /** POST /v1/work/next?queue=: the work, or empty on 204. */
  Optional<JsonNode> next(String queue) throws Exception {
    HttpResponse<String> r = post("/v1/work/next?queue=" + URLEncoder.encode(queue, StandardCharsets.UTF_8), "", true);
    if (r.statusCode() == 204) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new AssertionError("next answered " + r.statusCode() + " " + r.body());
    }
    return Optional.of(JSON.readTree(r.body()));
  }

  /** POST /v1/work/{id}/progress with {"attempt","percent","message"} (section 3); returns the status code. */
  int progress(JsonNode work, int percent, String message) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("attempt", work.get("attempt").asInt());
    body.put("percent", percent);
    body.put("message", message);
    return post("/v1/work/" + work.get("workId").asText() + "/progress", JSON.writeValueAsString(body), true)
        .statusCode();
  }

  /** POST /v1/work/{id}/result with {"workId","attempt","status","result","error"}; returns the status code. */
  int submit(JsonNode work, String status, JsonNode result, String error) throws Exception {
    String id = work.get("workId").asText();
    return post("/v1/work/" + id + "/result", result(work, status, result, error).toString(), true).statusCode();
  }

  /**
   * Reads one record of the queue's work topic through its share group (both named by the verify
   * answer), sends its result to the results topic signed with the session key, then ACCEPTs it.
   */
  JsonNode workThroughKafka(String queue, Duration timeout, JsonNode resultValue) throws Exception {
    return workThroughKafka(queue, timeout, null, id -> { }, resultValue);
  }

  /**
   * The same, and before the result, when {@code progress} is not null, a signed {@code running}
   * notice carrying it (the optional notice of section 3); {@code whileRunning} gets the work id once
   * Kafka has the notice.
   */
  JsonNode workThroughKafka(String queue, Duration timeout, JsonNode progress,
      java.util.function.Consumer<String> whileRunning, JsonNode resultValue) throws Exception {
    Properties c = new Properties();
    c.put("bootstrap.servers", kafka.get("bootstrapServers").asText());
    c.put("group.id", kafka.get("shareGroupPattern").asText().replace("{queue}", queue));
    c.put("share.acknowledgement.mode", "explicit");
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.get("bootstrapServers").asText());
    p.put("acks", "all");
    try (KafkaShareConsumer<String, byte[]> consumer =
            new KafkaShareConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of(kafka.get("workTopicPattern").asText().replace("{queue}", queue)));
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          JsonNode work = JSON.readTree(record.value());
          if (progress != null) {
            producer.send(signed(work, "running", progress)).get();
            whileRunning.accept(work.get("workId").asText());
          }
          producer.send(signed(work, "completed", resultValue)).get();
          consumer.acknowledge(record, AcknowledgeType.ACCEPT);
          consumer.commitSync();
          return work;
        }
      }
    }
    throw new AssertionError("no work arrived on queue " + queue + " within " + timeout);
  }

  /**
   * Reads the control topic named by the verify answer from its beginning, as section 4 says, until
   * a notice keyed {@code key} (a work id, or a worker id) arrives.
   */
  JsonNode controlNotice(String key, Duration timeout) throws Exception {
    Properties c = new Properties();
    c.put("bootstrap.servers", kafka.get("bootstrapServers").asText());
    c.put("isolation.level", "read_committed");
    String topic = kafka.get("controlTopic").asText();
    try (KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key())) {
            return JSON.readTree(record.value());
          }
        }
      }
    }
    throw new AssertionError("no notice for " + key + " on the control topic within " + timeout);
  }

  /** A result record for the results topic, signed as section 3 says. */
  private ProducerRecord<String, byte[]> signed(JsonNode work, String status, JsonNode resultValue) throws Exception {
    byte[] value = JSON.writeValueAsBytes(result(work, status, resultValue, null));
    String workId = work.get("workId").asText();
    String timestamp = Long.toString(System.currentTimeMillis());
    String signature = hmac(Base64.getDecoder().decode(sessionKey), "gowork-result:v1\n" + workId + "\n"
        + work.get("attempt").asInt() + "\n" + status + "\n" + timestamp + "\n" + sha256Hex(value));
    ProducerRecord<String, byte[]> out = new ProducerRecord<>(kafka.get("resultsTopic").asText(), workId, value);
    out.headers().add("gowork-worker-id", workerId.getBytes(StandardCharsets.UTF_8));
    out.headers().add("gowork-timestamp", timestamp.getBytes(StandardCharsets.UTF_8));
    out.headers().add("gowork-signature", signature.getBytes(StandardCharsets.UTF_8));
    return out;
  }

  private static ObjectNode result(JsonNode work, String status, JsonNode result, String error) {
    ObjectNode n = JSON.createObjectNode();
    n.put("workId", work.get("workId").asText());
    n.put("attempt", work.get("attempt").asInt());
    n.put("status", status);
    n.set("result", result);
    n.put("error", error);
    return n;
  }

  private HttpResponse<String> post(String path, String body, boolean asWorker) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (asWorker) {
      b.header("X-Gowork-Worker-Id", workerId).header("Authorization", "Bearer " + sessionKey);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String hmac(byte[] key, String message) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }

  private static String sha256Hex(byte[] value) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
  }
}
