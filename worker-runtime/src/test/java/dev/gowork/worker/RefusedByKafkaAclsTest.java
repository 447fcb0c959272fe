package dev.gowork.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.Topics;
import dev.gowork.worker.testing.StubCoordinator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka refusing the worker's principal while it provisions its queue (no Create on the work topic, no
 * AlterConfigs on the share group) is a deployment to fix: the worker exited 1, as if Kafka were away, and a
 * supervisor restarted it into the same refusal. Now it exits 2 with one line naming the ACL it lacks and
 * pointing to {@code gowork kafka acls}. And what a least-privilege worker may not check is said without a
 * warning. A broker of the test's own, under the StandardAuthorizer, with a
 * SASL/PLAIN user {@code worker} (as in cli's LeastPrivilegeAclsTest).
 */
@Timeout(180)
class RefusedByKafkaAclsTest {
  private static final String SECRET = MainTest.SECRET;

  @TempDir
  static Path dir;
  private static EmbeddedKafka broker;
  private static String sasl;

  @BeforeAll
  static void startBrokerWithAnAuthorizer() {
    int plain = freePort();
    int controller = freePort();
    sasl = "127.0.0.1:" + freePort();
    EmbeddedKafka.Builder b = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).port(plain);
    Map.of("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller
            + ",SASL_PLAINTEXT://" + sasl,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_PLAINTEXT://" + sasl,
        "controller.quorum.voters", "1@127.0.0.1:" + controller,
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms", "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_worker=\"worker-pw\";",
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users", "User:ANONYMOUS").forEach(b::brokerConfig);
    broker = b.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aWorkerThatMayNotCreateItsQueuesTopicExitsWithTwoNamingTheAcl() throws Exception {
    String line = runWorker("nocreate", 2);
    assertTrue(line.contains("Kafka ACL Create on topic 'nocreate.work.default'"), line);
  }

  @Test
  void aWorkerThatMayNotConfigureItsShareGroupExitsWithTwoNamingTheAcl() throws Exception {
    Topics topics = Topics.of("noalter");
    try (Admin admin = new KafkaClients(broker.bootstrapServers(), Map.of()).admin()) {
      admin.createTopics(List.of(new NewTopic(topics.work("default"), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
      admin.createAcls(List.of(allow(ResourceType.TOPIC, topics.work("default"), AclOperation.READ)))
          .all().get(60, TimeUnit.SECONDS);
    }
    String line = runWorker("noalter", 2);
    assertTrue(line.contains("Kafka ACL AlterConfigs on group 'noalter.workers.default'"), line);
  }

  /**
   * A worker with a dead-letter topic has no DescribeConfigs on the cluster (least privilege), so it cannot read
   * the brokers' dead-letter prefix: expected, said once at INFO. It was a WARN at every start, which teaches
   * operators to ignore warnings.
   */
  @Test
  void aLeastPrivilegeWorkerWithADeadLetterTopicDoesNotWarnThatItCannotReadTheBrokersPrefix() throws Exception {
    String group = "dlq-workers.default";
    String dlq = "dlq.least-privilege";
    try (Admin admin = new KafkaClients(broker.bootstrapServers(), Map.of()).admin()) {
      admin.createAcls(List.of(
          allow(ResourceType.GROUP, group, AclOperation.ALTER_CONFIGS),
          allow(ResourceType.TOPIC, dlq, AclOperation.DESCRIBE),
          allow(ResourceType.TOPIC, dlq, AclOperation.ALTER_CONFIGS))).all().get(60, TimeUnit.SECONDS);
      admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    List<String> logged = new CopyOnWriteArrayList<>();
    try (AutoCloseable log = MainTest.listen(logged, Level.INFO, "dev.gowork.broker.topic.DeadLetterTopic");
        Admin admin = new KafkaClients(sasl, KafkaClients.passThroughFromEnv(workerKafka())).admin()) {
      new TopicProvisioner(admin).configureShareGroup(group, new ShareGroupSettings(Duration.ofSeconds(30), 5,
          "earliest", Optional.empty(), Optional.of(dlq)));
    }
    assertEquals(1, logged.size(), logged.toString());
    assertTrue(logged.get(0).startsWith("INFO ") && logged.get(0).contains("'" + dlq + "'")
        && logged.get(0).contains("Kafka ACL DescribeConfigs on the cluster, which workers are not granted"),
        logged.toString());
  }

  private static AclBinding allow(ResourceType type, String name, AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry("User:worker", "*", operation, AclPermissionType.ALLOW));
  }

  /** The GOWORK_KAFKA_* variables of SASL user {@code worker}. */
  private static Map<String, String> workerKafka() {
    return Map.of("GOWORK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "GOWORK_KAFKA_SASL_MECHANISM", "PLAIN",
        "GOWORK_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"worker\" password=\"worker-pw\";");
  }

  /** Runs a worker as SASL user {@code worker} on {@code prefix}; checks its exit code and returns its one line. */
  private static String runWorker(String prefix, int exitCode) throws Exception {
    StringWriter err = new StringWriter();
    try (StubCoordinator coordinator = new StubCoordinator(SECRET, sasl, prefix)) {
      Map<String, String> env = new HashMap<>(workerKafka());
      env.putAll(Map.of("GOWORK_SECRET", SECRET, "GOWORK_HANDLER", "echo",
          "GOWORK_COORDINATOR_URL", coordinator.url().toString()));
      int code = Main.run(new String[0], env, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
      assertEquals(exitCode, code, err.toString());
    }
    String line = err.toString();
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("gowork worker: could not start: ") && line.contains("gowork kafka acls"), line);
    assertTrue(!line.contains("worker-pw"), "the password stays out: " + line);
    return line;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
