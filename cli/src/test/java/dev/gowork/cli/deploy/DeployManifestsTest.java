package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps deploy/ in step with the code. These machines have no Docker engine, so the images, the compose
 * file and the Kubernetes manifests are never built or run here: this test reads them and compares them
 * with what the code reads (settings), serves (port, probe paths) and builds (jar, main classes).
 */
class DeployManifestsTest {
  private static final String COORDINATOR_DOCKERFILE = "deploy/docker/Dockerfile.coordinator";
  private static final String WORKER_DOCKERFILE = "deploy/docker/Dockerfile.worker";
  private static final String LOCAL_SCRIPT = "deploy/local/gowork-local";
  /** Seconds a stopped worker gets beyond its own grace period for the JVM to exit. */
  private static final int EXIT_MARGIN_SECONDS = 5;

  private static RepoFiles repo;
  private static MainSources coordinatorCode;
  private static MainSources workerCode;
  private static ComposeFile compose;
  private static KubeObjects kube;

  @BeforeAll
  static void readRepository() {
    repo = RepoFiles.locate();
    coordinatorCode = MainSources.of(repo, "coordinator", "broker-adapter", "coordinator");
    workerCode = MainSources.of(repo, "worker", "broker-adapter", "worker-runtime");
    compose = new ComposeFile(repo);
    kube = new KubeObjects(repo);
  }

  @Test
  void composeSetsOnlySettingsTheProcessReads() {
    assertEquals(Set.of("kafka", "coordinator", "worker"), fieldNames(compose.root().path("services")),
        "compose services (a new one needs its checks here)");
    assertReads(coordinatorCode, "compose service coordinator", ComposeFile.env(compose.service("coordinator")).keySet());
    assertReads(workerCode, "compose service worker", ComposeFile.env(compose.service("worker")).keySet());
    for (String secret : fieldNames(compose.root().path("secrets"))) {
      JsonNode source = compose.root().path("secrets").path(secret).path("environment");
      if (!source.isMissingNode()) {
        assertTrue(coordinatorCode.readsSetting(source.asText()) || workerCode.readsSetting(source.asText()),
            "compose secret " + secret + " comes from " + source.asText() + ", a name the code does not read");
      }
    }
    for (String service : List.of("coordinator", "worker")) {
      JsonNode s = compose.service(service);
      Set<String> mounted = new TreeSet<>();
      s.path("secrets").forEach(n -> mounted.add(n.isTextual() ? n.asText() : n.path("source").asText()));
      ComposeFile.env(s).forEach((name, value) -> {
        if (name.endsWith("_FILE") && value.startsWith("/run/secrets/")) {
          String secret = value.substring("/run/secrets/".length());
          assertTrue(mounted.contains(secret) && compose.root().path("secrets").has(secret),
              "compose " + service + ": " + name + " points at secret " + secret + ", which it does not mount");
        }
      });
    }
  }

  @Test
  void kubernetesSetsOnlySettingsTheProcessReads() {
    Set<String> deployments = new TreeSet<>();
    kube.all("Deployment").forEach(d -> deployments.add(d.path("metadata").path("name").asText()));
    assertEquals(Set.of("gowork-coordinator", "gowork-worker", "gowork-kafka"), deployments,
        "Deployments in deploy/k8s (a new one needs its checks here)");
    JsonNode secret = kube.get("Secret", "gowork-credentials");
    Map<String, MainSources> codeOf = Map.of("gowork-coordinator", coordinatorCode, "gowork-worker", workerCode);
    codeOf.forEach((name, code) -> {
      JsonNode container = KubeObjects.container(kube.get("Deployment", name));
      Map<String, JsonNode> env = KubeObjects.env(container);
      assertReads(code, "Deployment " + name, env.keySet());
      env.forEach((var, entry) -> {
        JsonNode ref = entry.path("valueFrom").path("secretKeyRef");
        if (!ref.isMissingNode()) {
          assertEquals("gowork-credentials", ref.path("name").asText(), name + ": " + var + " names another Secret");
          String key = ref.path("key").asText();
          assertTrue(secret.path("stringData").has(key) || secret.path("data").has(key),
              name + ": " + var + " reads key " + key + ", which secret.yaml does not have");
        }
      });
    });
    for (String key : fieldNames(secret.path("stringData"))) {
      assertTrue(coordinatorCode.readsSetting(key) || workerCode.readsSetting(key),
          "secret.yaml key " + key + " is no setting the code reads");
    }
  }

  @Test
  void coordinatorListensOnItsDefaultPortEverywhere() {
    int port = coordinatorDefaultPort();
    Dockerfile image = dockerfile(COORDINATOR_DOCKERFILE);
    assertEquals(List.of(port), image.exposed(), COORDINATOR_DOCKERFILE + " EXPOSE");
    assertEquals(String.valueOf(port), image.env().getOrDefault("GOWORK_HTTP_PORT", String.valueOf(port)),
        COORDINATOR_DOCKERFILE + " ENV GOWORK_HTTP_PORT");

    JsonNode service = compose.service("coordinator");
    assertEquals(String.valueOf(port), ComposeFile.env(service).getOrDefault("GOWORK_HTTP_PORT", String.valueOf(port)),
        "compose coordinator GOWORK_HTTP_PORT");
    assertFalse(service.path("ports").isEmpty(), "compose publishes the coordinator's port");
    service.path("ports").forEach(p -> assertTrue(p.asText().endsWith(":" + port),
        "compose coordinator publishes " + p.asText() + ", not container port " + port));
    assertEquals("http://coordinator:" + port,
        ComposeFile.env(compose.service("worker")).get("GOWORK_COORDINATOR_URL"), "compose worker GOWORK_COORDINATOR_URL");

    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-coordinator"));
    assertEquals(port, container.path("ports").get(0).path("containerPort").asInt(), "k8s coordinator containerPort");
    String httpPort = KubeObjects.envValue(container, "GOWORK_HTTP_PORT");
    assertEquals(String.valueOf(port), httpPort == null ? String.valueOf(port) : httpPort, "k8s GOWORK_HTTP_PORT");
    JsonNode svc = kube.get("Service", "gowork-coordinator").path("spec").path("ports").get(0);
    assertEquals(port, svc.path("port").asInt(), "k8s Service gowork-coordinator port");
    assertEquals(port, KubeObjects.resolvePort(container, svc.path("targetPort")), "k8s Service targetPort");
    JsonNode worker = KubeObjects.container(kube.get("Deployment", "gowork-worker"));
    assertEquals("http://gowork-coordinator:" + port, KubeObjects.envValue(worker, "GOWORK_COORDINATOR_URL"),
        "k8s worker GOWORK_COORDINATOR_URL (the Service's name and port)");

    assertTrue(repo.read(LOCAL_SCRIPT).contains("GOWORK_HTTP_PORT:-" + port), LOCAL_SCRIPT + " defaults to port " + port);
  }

  @Test
  void probesUseTheCoordinatorsHealthEndpoints() {
    assertTrue(coordinatorCode.hasLiteral("/healthz") && coordinatorCode.hasLiteral("/readyz"),
        "the coordinator's code serves \"/healthz\" and \"/readyz\"");
    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-coordinator"));
    int port = coordinatorDefaultPort();
    assertProbe(container, "livenessProbe", "/healthz", port);
    assertProbe(container, "readinessProbe", "/readyz", port);
    if (container.has("startupProbe")) {
      assertProbe(container, "startupProbe", "/healthz", port);
    }
    String test = compose.service("coordinator").path("healthcheck").path("test").toString();
    assertTrue(test.contains("http://127.0.0.1:" + port + "/healthz") && test.contains("http://127.0.0.1:" + port + "/readyz"),
        "compose coordinator healthcheck asks /healthz and /readyz on port " + port + ": " + test);
    assertTrue(dockerfile(COORDINATOR_DOCKERFILE).all("RUN").stream().anyMatch(r -> r.contains("install") && r.contains("curl")),
        "the coordinator image installs curl, which its compose healthcheck runs");
  }

  @Test
  void dockerfilesRunTheJarTheBuildMakesAndMainsThatExist() {
    String jar = "cli/target/" + repo.pomValue("cli/pom.xml", "finalName") + ".jar";
    assertImage(COORDINATOR_DOCKERFILE, jar, "dev.gowork.coordinator.Main", "coordinator");
    assertImage(WORKER_DOCKERFILE, jar, "dev.gowork.worker.Main", "worker-runtime");
    Map<String, String> dockerfileOf = Map.of("coordinator", COORDINATOR_DOCKERFILE, "worker", WORKER_DOCKERFILE);
    dockerfileOf.forEach((service, file) -> {
      JsonNode build = compose.service(service).path("build");
      Path context = repo.path("deploy").resolve(build.path("context").asText()).normalize();
      assertEquals(repo.root(), context, "compose " + service + " builds from the repository root");
      assertEquals(file, build.path("dockerfile").asText(), "compose " + service + " dockerfile");
      String image = compose.service(service).path("image").asText();
      String k8sImage = KubeObjects.container(kube.get("Deployment", "gowork-" + service)).path("image").asText();
      assertEquals(image, k8sImage, "k8s gowork-" + service + " runs the image compose builds");
      assertTrue(repo.read(file + ".dockerignore").contains("!" + jar), file + ".dockerignore keeps " + jar);
    });
  }

  @Test
  void workersHaveTimeToDrainBeforeTheyAreKilled() {
    assertTrue(workerCode.readsSetting("GOWORK_SHUTDOWN_GRACE_SECONDS"), workerCode.describe()
        + " reads GOWORK_SHUTDOWN_GRACE_SECONDS, which deploy/ sets");
    JsonNode service = compose.service("worker");
    long composeGrace = Long.parseLong(ComposeFile.env(service).get("GOWORK_SHUTDOWN_GRACE_SECONDS"));
    long stop = ComposeFile.seconds(service.path("stop_grace_period").asText());
    assertTrue(stop >= composeGrace + EXIT_MARGIN_SECONDS, "compose worker stop_grace_period " + stop
        + " s < GOWORK_SHUTDOWN_GRACE_SECONDS " + composeGrace + " + " + EXIT_MARGIN_SECONDS);
    JsonNode deployment = kube.get("Deployment", "gowork-worker");
    long k8sGrace = Long.parseLong(KubeObjects.envValue(KubeObjects.container(deployment), "GOWORK_SHUTDOWN_GRACE_SECONDS"));
    long termination = KubeObjects.podSpec(deployment).path("terminationGracePeriodSeconds").asLong();
    assertTrue(termination >= k8sGrace + EXIT_MARGIN_SECONDS, "k8s worker terminationGracePeriodSeconds "
        + termination + " < GOWORK_SHUTDOWN_GRACE_SECONDS " + k8sGrace + " + " + EXIT_MARGIN_SECONDS);
  }

  @Test
  void thereAreAtLeastTwoWorkerReplicas() {
    assertTrue(compose.service("worker").path("deploy").path("replicas").asInt() >= 2, "compose worker deploy.replicas");
    assertTrue(kube.get("Deployment", "gowork-worker").path("spec").path("replicas").asInt() >= 2, "k8s worker replicas");
  }

  @Test
  void theSingleKafkaNodeCanServeShareGroups() {
    String image = "apache/kafka:" + repo.pomValue("pom.xml", "kafka.version");
    JsonNode kafka = compose.service("kafka");
    assertEquals(image, kafka.path("image").asText(), "compose kafka image = the kafka.version the code is built with");
    assertSingleNodeBroker("compose kafka", ComposeFile.env(kafka),
        ComposeFile.env(compose.service("coordinator")).get("GOWORK_BOOTSTRAP_SERVERS"));

    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-kafka"));
    assertEquals(image, container.path("image").asText(), "k8s kafka image");
    Map<String, String> env = new LinkedHashMap<>();
    KubeObjects.env(container).forEach((k, v) -> env.put(k, v.path("value").asText()));
    String bootstrap = KubeObjects.envValue(KubeObjects.container(kube.get("Deployment", "gowork-coordinator")),
        "GOWORK_BOOTSTRAP_SERVERS");
    assertSingleNodeBroker("k8s kafka", env, bootstrap);
    JsonNode svc = kube.get("Service", "gowork-kafka").path("spec").path("ports").get(0);
    assertEquals("gowork-kafka:" + svc.path("port").asInt(), bootstrap, "k8s GOWORK_BOOTSTRAP_SERVERS = the kafka Service");
  }

  @Test
  void podsGetNoServiceLinks() {
    // Service links inject e.g. GOWORK_KAFKA_PORT=tcp://..., which the GOWORK_KAFKA_ pass-through would read,
    // and KAFKA_PORT=..., which the Kafka image would turn into a broker setting.
    for (JsonNode d : kube.all("Deployment")) {
      assertFalse(KubeObjects.podSpec(d).path("enableServiceLinks").asBoolean(true),
          KubeObjects.name(d) + " sets enableServiceLinks: false");
    }
  }

  @Test
  void localScriptSetsOnlySettingsTheCodeReads() {
    String launcher = repo.read("gowork");
    Matcher m = Pattern.compile("GOWORK_[A-Z0-9_]+").matcher(repo.read(LOCAL_SCRIPT));
    Set<String> unknown = new TreeSet<>();
    while (m.find()) {
      String name = m.group();
      boolean scriptOwn = name.startsWith("GOWORK_LOCAL_") || name.equals("GOWORK_CMD");
      if (!scriptOwn && !launcher.contains(name) && !coordinatorCode.readsSetting(name) && !workerCode.readsSetting(name)) {
        unknown.add(name);
      }
    }
    assertEquals(Set.of(), unknown, LOCAL_SCRIPT + " uses settings that neither the launcher nor the code reads");
  }

  // ---- shared checks ----

  private static int coordinatorDefaultPort() {
    return 8080;
  }

  private static void assertReads(MainSources code, String where, Set<String> names) {
    List<String> unread = names.stream().filter(n -> n.startsWith("GOWORK_") && !code.readsSetting(n)).toList();
    assertEquals(List.of(), unread, where + " sets settings that " + code.describe() + " does not read");
  }

  private static void assertProbe(JsonNode container, String probe, String path, int port) {
    JsonNode get = container.path(probe).path("httpGet");
    assertEquals(path, get.path("path").asText(), "k8s coordinator " + probe + " path");
    assertEquals(port, KubeObjects.resolvePort(container, get.path("port")), "k8s coordinator " + probe + " port");
  }

  private static void assertImage(String file, String jar, String mainClass, String module) {
    Dockerfile d = dockerfile(file);
    assertEquals("eclipse-temurin:17-jre", d.from(), file + " FROM");
    assertFalse(Set.of("root", "0", "0:0").contains(d.user()), file + " runs as a non-root USER, not " + d.user());
    String jarDest = copyDestination(d, jar, jar.substring(jar.lastIndexOf('/') + 1));
    String libDest = copyDestination(d, "cli/target/lib/", "");
    List<String> classPath = List.of(d.classPath().split(":"));
    assertTrue(classPath.contains(jarDest), file + " class path " + classPath + " has " + jarDest);
    assertTrue(classPath.contains(libDest + "*"), file + " class path " + classPath + " has " + libDest + "*");
    assertEquals("java", d.entrypoint().get(0), file + " ENTRYPOINT runs java itself (PID 1 gets SIGTERM)");
    assertEquals(mainClass, d.mainClass(), file + " main class");
    String source = module + "/src/main/java/" + mainClass.replace('.', '/') + ".java";
    assertTrue(repo.exists(source), file + " starts " + mainClass + ", but " + source + " does not exist");
    String text = repo.read(source);
    assertTrue(text.contains("public static void main(") && text.contains("public static int run("),
        source + " has main(String[]) and run(String...)");
    assertTrue(repo.read("cli/pom.xml").contains("<artifactId>" + module + "</artifactId>"),
        "cli/pom.xml depends on " + module + ", so its jar is in cli/target/lib");
  }

  /** Where the Dockerfile copies {@code source}; a directory destination gets {@code fileName} appended. */
  private static String copyDestination(Dockerfile d, String source, String fileName) {
    String bare = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
    for (Dockerfile.Copy copy : d.copies()) {
      if (copy.sources().contains(source) || copy.sources().contains(bare)) {
        String dest = copy.destination();
        return dest.endsWith("/") ? dest + fileName : dest + (fileName.isEmpty() ? "/" : "");
      }
    }
    throw new AssertionError(d.name() + " does not COPY " + source);
  }

  private static void assertSingleNodeBroker(String where, Map<String, String> env, String bootstrap) {
    assertEquals("1", env.get("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR"),
        where + ": without it share groups deliver nothing on one node");
    assertEquals("1", env.get("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR"), where + ": share state min ISR");
    assertEquals("1", env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"), where + ": offsets topic replication");
    assertEquals("1", env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"), where + ": transaction log replication");
    assertDoesNotThrow(() -> Uuid.fromString(env.get("CLUSTER_ID")), where + ": CLUSTER_ID is a Kafka Uuid");
    assertEquals("PLAINTEXT://" + bootstrap, env.get("KAFKA_ADVERTISED_LISTENERS"),
        where + " advertises what the coordinator's GOWORK_BOOTSTRAP_SERVERS names");
  }

  private static Dockerfile dockerfile(String file) {
    return Dockerfile.parse(file, repo.read(file));
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.properties().forEach(e -> names.add(e.getKey()));
    return names;
  }
}
