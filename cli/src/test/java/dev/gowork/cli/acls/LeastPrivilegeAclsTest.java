package dev.gowork.cli.acls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import dev.gowork.cli.Console;
import dev.gowork.coordinator.CoordinatorService;
import dev.gowork.coordinator.Work;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.worker.runtime.WorkerRuntime;
import dev.gowork.worker.runtime.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment under Kafka's StandardAuthorizer with only the ACLs of {@code gowork kafka acls --apply}: a
 * broker of the test's own with a SASL/PLAIN listener for clients, a coordinator and a worker each with a
 * principal of its own, credentials passed as operators pass them ({@code GOWORK_KAFKA_*}); and what a
 * principal lacking an ACL is told; and a second worker principal, {@code User:images}, granted queue {@code a}
 * only ({@code --queue a}). One broker for the class, the ACLs applied once before the tests.
 */
class LeastPrivilegeAclsTest {
  private static final String SECRET = "acl-test-secret-0123456789-abcdefgh";
  private static final String TOKEN = "acl-test-token-0123456789";
  private static final Duration WAIT = Duration.ofSeconds(120);

  private static final String PREFIX = "acl";
  private static final Topics TOPICS = Topics.of(PREFIX);
  /** A topic of no deployment: it exists, and none of the principals has any ACL on it. */
  private static final String HIDDEN = PREFIX + ".hidden";
  private static final String[] APPLY = {"kafka", "acls", "--prefix", PREFIX, "--coordinator-principal", "User:coord",
      "--worker-principal", "User:worker", "--analytics-principal", "User:bi", "--apply"};
  /** A second worker principal, for queue {@code a} only. */
  private static final String[] APPLY_QUEUE_A = {"kafka", "acls", "--prefix", PREFIX, "--coordinator-principal",
      "User:coord", "--worker-principal", "User:images", "--queue", "a", "--apply"};

  @TempDir
  static Path dir;
  private static EmbeddedKafka broker;
  private static String bootstrap;

  @BeforeAll
  static void startBrokerAndApplyTheAcls() throws Exception {
    int sasl = freePort();
    bootstrap = "127.0.0.1:" + sasl;
    broker = startBroker(dir, sasl);
    Console apply = new Console(client(bootstrap, "admin"));
    assertEquals(0, apply.run(APPLY), apply.err());
    assertEquals(aclCount(deployment()) + " ACLs created, 0 already present on " + bootstrap + "; created:",
        apply.out().lines().findFirst().orElseThrow(), apply.out());
    Console applyQueueA = new Console(client(bootstrap, "admin"));
    assertEquals(0, applyQueueA.run(APPLY_QUEUE_A), applyQueueA.err());
    // The coordinator's ACLs were there already: only those of User:images are new.
    List<Grant> queueA = DeploymentAcls.of(TOPICS, "User:coord", "User:images", List.of("a"), Optional.empty());
    int images = aclCount(queueA.stream().filter(g -> g.principal().equals("User:images")).toList());
    assertEquals(images + " ACLs created, " + (aclCount(queueA) - images) + " already present on " + bootstrap
        + "; created:", applyQueueA.out().lines().findFirst().orElseThrow(), applyQueueA.out());
    try (Admin admin = clients(bootstrap, "admin", Map.of()).admin()) {
      admin.createTopics(List.of(new NewTopic(HIDDEN, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(300)
  void aDeploymentRunsOnItsGeneratedAclsAndWorkersCannotWriteWorkOrControl() throws Exception {
    Map<String, String> coordinatorEnv = coordinatorEnv();
    try (CoordinatorService coordinator = CoordinatorService.start(CoordinatorSettings.parse(coordinatorEnv))) {
      AtomicBoolean requeued = new AtomicBoolean();
      try (WorkerRuntime worker = WorkerRuntime.builder(workerSettings("worker", coordinator, Topics.DEFAULT_QUEUE))
          .handler((data, ctx) -> {
            if (data.has("fail") && !requeued.get()) {
              throw new IllegalStateException("fails until requeued");
            }
            return data;
          }).start()) {
        Work work = Work.create(Map.of("x", 1), 120);
        coordinator.workServer().add(work);
        await(() -> coordinator.workServer().status(work.id()).map(WorkStatus::state)
            .filter(s -> s == WorkState.COMPLETED).isPresent(), "work " + work.id() + " completed");

        // The coordinator counts the queue's share group and reads its brokers' limit (Describe, DescribeConfigs).
        await(() -> {
          GroupSize g = coordinator.workServer().shareGroups().get(Topics.DEFAULT_QUEUE);
          return g != null && g.members() != null && g.members() == 1 && g.maxMembers() != null;
        }, "the share group counted: " + coordinator.workServer().shareGroups());

        // The worker's principal may write results only: neither work nor control notices.
        try (Producer<String, byte[]> asWorker = clients(bootstrap, "worker", Map.of()).producer()) {
          assertRefused(asWorker, TOPICS.work(Topics.DEFAULT_QUEUE));
          assertRefused(asWorker, TOPICS.control());
        }
        // The analytics principal reads the events (this work's work_complete among them) and cannot write them.
        assertTrue(readEvents(clients(bootstrap, "bi", Map.of()), TOPICS.events(), work.id()),
            "no work_complete of " + work.id() + " read from " + TOPICS.events() + " as User:bi");
        try (Producer<String, byte[]> asAnalytics = clients(bootstrap, "bi",
            Map.of("enable.idempotence", "false", "acks", "1")).producer()) {
          assertRefused(asAnalytics, TOPICS.events());
        }
        runsWhatADeploymentDoesWithinAMinute(coordinator.workServer(), requeued);
        // A second coordinator instance joins (its own transactional id, the results group), then takes over.
        try (CoordinatorService second = CoordinatorService.start(CoordinatorSettings.parse(coordinatorEnv))) {
          coordinator.close();
          Work afterTakeover = Work.create(Map.of("x", 2), 120);
          second.workServer().add(afterTakeover);
          awaitState(second.workServer(), afterTakeover.id(), WorkState.COMPLETED);
          assertEquals(Optional.empty(), second.workServer().failure());
        }
        assertEquals(Optional.empty(), worker.failure());
      }
    }
  }

  @Test
  @Timeout(300)
  void aWorkerGrantedOneQueueCompletesItsWorkAndIsRefusedAnotherQueue() throws Exception {
    try (CoordinatorService coordinator = CoordinatorService.start(CoordinatorSettings.parse(coordinatorEnv()))) {
      // Both queues' topics exist (adding work creates them) and hold work.
      Work ofA = Work.create(Map.of("x", "a"), 120).withQueue("a");
      coordinator.workServer().add(ofA);
      Work ofB = Work.create(Map.of("x", "b"), 120).withQueue("b");
      coordinator.workServer().add(ofB);
      try (WorkerRuntime worker = WorkerRuntime.builder(workerSettings("images", coordinator, "a"))
          .handler((data, ctx) -> data).start()) {
        awaitState(coordinator.workServer(), ofA.id(), WorkState.COMPLETED);
        assertEquals(Optional.empty(), worker.failure());
      }
      GoWorkException refused = assertThrows(GoWorkException.class, () -> WorkerRuntime.builder(
          workerSettings("images", coordinator, "b")).handler((data, ctx) -> data).start().close());
      assertTrue(refused.getMessage().contains("could not prepare queue 'b'") && refused.getMessage().contains(
          "(Kafka ACL Create on topic '" + TOPICS.work("b") + "'; or, if it exists, Describe on it"),
          refused.getMessage());
      // Not only the worker's own check: Kafka refuses the principal queue b's records.
      assertReadRefused(clients(bootstrap, "images", Map.of()), TOPICS.work("b"));
      assertEquals(Optional.of(WorkState.QUEUED), coordinator.workServer().status(ofB.id()).map(WorkStatus::state));
    }
  }

  @Test
  void applyingTheAclsAgainKeepsThemAndReportsThemAllAlreadyPresent() throws Exception {
    Set<AclBinding> before = acls();
    Console again = new Console(client(bootstrap, "admin"));
    assertEquals(0, again.run(APPLY), again.err());
    assertEquals(before, acls());
    assertEquals("0 ACLs created, " + aclCount(deployment()) + " already present on " + bootstrap,
        again.out().strip());
  }

  /** The grants of {@link #APPLY}. */
  private static List<Grant> deployment() {
    return DeploymentAcls.of(TOPICS, "User:coord", "User:worker", List.of(), Optional.of("User:bi"));
  }

  private static int aclCount(List<Grant> grants) {
    return grants.stream().mapToInt(g -> g.bindings().size()).sum();
  }

  @Test
  void applyingAsAPrincipalThatIsNoAdministratorSaysInOneLineWhichRightItLacks() {
    Console c = new Console(client(bootstrap, "worker"));
    assertEquals(1, c.run(APPLY), c.out());
    assertEquals(1, c.err().strip().lines().count(), c.err());
    assertTrue(c.err().contains("may not create ACLs: it needs Alter on the cluster"), c.err());
    assertTrue(c.err().length() < 300, "the brokers' dump of the request left out: " + c.err());
  }

  @Test
  void aTopicThePrincipalMayNeitherCreateNorSeeIsNotCalledMissing() {
    try (Admin asWorker = clients(bootstrap, "worker", Map.of()).admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(asWorker);
      KafkaException hidden = assertThrows(KafkaException.class,
          () -> provisioner.ensureTopics(List.of(TopicSpec.of(HIDDEN, 1, 1))));
      assertTrue(hidden.getMessage().contains("may neither create the topic nor see whether it exists (Kafka ACL "
          + "Create on topic '" + HIDDEN + "'; or, if it exists, Describe on it"), hidden.getMessage());
      String queue = TOPICS.work("missing");
      KafkaException missing = assertThrows(KafkaException.class,
          () -> provisioner.ensureTopics(List.of(TopicSpec.of(queue, 1, 1))));
      assertTrue(missing.getMessage().contains("the topic does not exist and this principal may not create it "
          + "(Kafka ACL Create on topic '" + queue + "')"), missing.getMessage());
    }
  }

  @Test
  void aShareGroupThePrincipalMayNotConfigureNamesTheAcl() {
    String group = TOPICS.shareGroup(Topics.DEFAULT_QUEUE);
    try (Admin asAnalytics = clients(bootstrap, "bi", Map.of()).admin()) {
      KafkaException e = assertThrows(KafkaException.class, () -> new TopicProvisioner(asAnalytics)
          .configureShareGroup(group, ShareGroupSettings.defaults()));
      assertTrue(e.getMessage().contains("(Kafka ACL AlterConfigs on group '" + group + "')"), e + " caused by "
          + e.getCause());
    }
  }

  @Test
  void aWorkerMayUseADeadLetterTopicAnAdministratorCreatedForIt() throws Exception {
    String queue = "dead-letters";
    String dlq = TOPICS.deadLetter(queue);
    try (Admin admin = clients(bootstrap, "admin", Map.of()).admin()) {
      admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1).configs(Map.of(
          "errors.deadletterqueue.group.enable", "true")))).all().get(60, TimeUnit.SECONDS);
      admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, dlq, PatternType.LITERAL),
          new AccessControlEntry("User:worker", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW))))
          .all().get(60, TimeUnit.SECONDS);
    }
    try (Admin asWorker = clients(bootstrap, "worker", Map.of()).admin()) {
      new TopicProvisioner(asWorker).configureShareGroup(TOPICS.shareGroup(queue), new ShareGroupSettings(
          Duration.ofSeconds(30), 5, "earliest", Optional.empty(), Optional.of(dlq)));
    }
  }

  private static Set<AclBinding> acls() throws Exception {
    try (Admin admin = clients(bootstrap, "admin", Map.of()).admin()) {
      return Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS));
    }
  }

  /**
   * The calls of a running deployment that touch other topics and groups than one completed item: a queue
   * paused and resumed, work delayed, cancelled, retried, dead and requeued, a schedule firing, a worker over HTTP
   * taking work through the share group, and its session revoked.
   */
  private static void runsWhatADeploymentDoesWithinAMinute(WorkServer server, AtomicBoolean requeued)
      throws InterruptedException {
    server.pauseQueue(Topics.DEFAULT_QUEUE, "acl test");
    assertTrue(server.pausedQueues().containsKey(Topics.DEFAULT_QUEUE), server.pausedQueues().toString());
    server.resumeQueue(Topics.DEFAULT_QUEUE);

    Work delayed = Work.create(Map.of("x", "delayed"), 120).withDelaySeconds(1);
    server.add(delayed);
    Work dead = Work.create(Map.of("fail", true), 120).withMaxAttempts(2);
    server.add(dead);
    awaitState(server, dead.id(), WorkState.DEAD);
    requeued.set(true);
    server.requeue(dead.id());
    awaitState(server, dead.id(), WorkState.COMPLETED);
    awaitState(server, delayed.id(), WorkState.COMPLETED);

    server.schedule(Schedule.every("acl-tick", Duration.ofSeconds(1), Map.of("x", "tick"), 120));
    await(() -> server.scheduleRuns() > 0, "a schedule fired");
    server.unschedule("acl-tick");

    Work idle = Work.create(Map.of("x", "idle"), 120).withQueue("idle");
    server.add(idle);
    assertEquals(WorkState.CANCELLED, server.cancel(idle.id(), "acl test").state());

    Registration r = server.workers().register();
    Session session = server.workers().verify(r.workerId(),
        Signatures.verifyResponse(SharedSecret.of(SECRET), r.workerId(), r.challenge()));
    Work byHttp = Work.create(Map.of("x", "http"), 120).withQueue("http");
    server.add(byHttp);
    await(() -> server.get(r.workerId(), session.sessionKey(), "http").isPresent(),
        "work/next on queue 'http' handed out " + byHttp.id());
    server.workers().revoke(r.workerId());
    assertEquals(Optional.empty(), server.failure());
  }

  private static void awaitState(WorkServer server, String workId, WorkState state) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    Optional<WorkState> now;
    while (!(now = server.status(workId).map(WorkStatus::state)).equals(Optional.of(state))) {
      assertTrue(System.nanoTime() - end < 0, "work " + workId + " not " + state + " within " + WAIT + ": " + now);
      Thread.sleep(100);
    }
  }

  /**
   * One node: PLAINTEXT (the broker itself and the test's readiness check, as super user ANONYMOUS),
   * CONTROLLER, and SASL_PLAINTEXT with PLAIN users for the clients, under the StandardAuthorizer.
   */
  private static EmbeddedKafka startBroker(Path dir, int sasl) {
    int plain = freePort();
    int controller = freePort();
    Map<String, String> c = new HashMap<>();
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller
        + ",SASL_PLAINTEXT://127.0.0.1:" + sasl);
    c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_PLAINTEXT://127.0.0.1:" + sasl);
    c.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    c.put("listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
    c.put("sasl.enabled.mechanisms", "PLAIN");
    c.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-pw\""
        + " user_coord=\"coord-pw\" user_worker=\"worker-pw\" user_images=\"images-pw\" user_bi=\"bi-pw\";");
    c.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    c.put("super.users", "User:ANONYMOUS;User:admin");
    EmbeddedKafka.Builder b = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).port(plain);
    c.forEach(b::brokerConfig);
    return b.start();
  }

  /** The environment of a process that talks to Kafka as {@code user}, the way operators set it. */
  private static Map<String, String> client(String bootstrap, String user) {
    Map<String, String> env = new HashMap<>();
    env.put("GOWORK_BOOTSTRAP_SERVERS", bootstrap);
    env.put("GOWORK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("GOWORK_KAFKA_SASL_MECHANISM", "PLAIN");
    env.put("GOWORK_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required"
        + " username=\"" + user + "\" password=\"" + user + "-pw\";");
    return env;
  }

  private static KafkaClients clients(String bootstrap, String user, Map<String, String> more) {
    Map<String, String> properties = new HashMap<>(KafkaClients.passThroughFromEnv(client(bootstrap, user)));
    properties.putAll(more);
    return new KafkaClients(bootstrap, properties);
  }

  private static Map<String, String> coordinatorEnv() {
    Map<String, String> env = client(bootstrap, "coord");
    env.putAll(Map.of("GOWORK_SECRET", SECRET, "GOWORK_API_TOKEN", TOKEN, "GOWORK_TOPIC_PREFIX", PREFIX,
        "GOWORK_HTTP_HOST", "127.0.0.1", "GOWORK_HTTP_PORT", "0", "GOWORK_SHARE_HEARTBEAT_MS", "500",
        "GOWORK_SHARE_GROUP_CHECK_SECONDS", "1"));
    return env;
  }

  /** A worker replica's settings, talking to Kafka as {@code user}, for {@code queue}. */
  private static WorkerSettings workerSettings(String user, CoordinatorService coordinator, String queue) {
    Map<String, String> env = client(bootstrap, user);
    env.putAll(Map.of("GOWORK_SECRET", SECRET, "GOWORK_COORDINATOR_URL", coordinator.baseUrl().toString(),
        "GOWORK_TOPIC_PREFIX", PREFIX, "GOWORK_QUEUE", queue, "GOWORK_CONCURRENCY", "1",
        "GOWORK_SHARE_HEARTBEAT_MS", "500"));
    return WorkerSettings.fromEnv(env);
  }

  private static void assertReadRefused(KafkaClients clients, String topic) {
    try (Consumer<String, byte[]> consumer = clients.consumer(null, Map.of())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      long end = System.nanoTime() + WAIT.toNanos();
      assertThrows(TopicAuthorizationException.class, () -> {
        while (System.nanoTime() - end < 0) {
          consumer.poll(Duration.ofMillis(500));
        }
      }, "reading " + topic);
    }
  }

  private static void assertRefused(Producer<String, byte[]> producer, String topic) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
        new ProducerRecord<>(topic, "k", "{}".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS),
        "writing " + topic);
    assertInstanceOf(TopicAuthorizationException.class, e.getCause(), "writing " + topic);
  }

  /** True once a {@code work_complete} of {@code workId} is read from the start of {@code topic}. */
  private static boolean readEvents(KafkaClients clients, String topic, String workId) {
    try (Consumer<String, byte[]> consumer = clients.consumer(null, Map.of())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() - end < 0) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String event = new String(r.value(), StandardCharsets.UTF_8);
          if (event.contains("\"work_complete\"") && event.contains(workId)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() - end < 0, "not within " + WAIT + ": " + what);
      Thread.sleep(100);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
