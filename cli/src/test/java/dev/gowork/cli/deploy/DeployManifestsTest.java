package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.worker.runtime.WorkerSettings;
import java.nio.file.Path;
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
 * file and the Kubernetes manifests are never built or run here: this test reads them and checks them
 * against what the code reads (the env var names the mains expose, fed through their settings parsers),
 * serves (port, probe paths) and builds (jar, main classes).
 */
class DeployManifestsTest {
  private static final String COORDINATOR_DOCKERFILE = "deploy/docker/Dockerfile.coordinator";
  private static final String WORKER_DOCKERFILE = "deploy/docker/Dockerfile.worker";
  private static final String LOCAL_SCRIPT = "deploy/local/gowork-local";
  /** Seconds a stopped worker gets beyond its own grace period for the JVM to exit. */
  private static final int EXIT_MARGIN_SECONDS = 5;
  /** Bound to every interface, so that other containers and pods reach the coordinator. */
  private static final String ALL_INTERFACES = "0.0.0.0";

  private static RepoFiles repo;
  private static ProcessSettings coordinator;
  private static ProcessSettings worker;
  private static ComposeFile compose;
  private static KubeObjects kube;
  private static int defaultPort;

  @BeforeAll
  static void readRepository() {
    repo = RepoFiles.locate();
    coordinator = ProcessSettings.coordinator();
    worker = ProcessSettings.worker();
    compose = new ComposeFile(repo);
    kube = new KubeObjects(repo);
    defaultPort = ProcessSettings.coordinatorSettings(Map.of()).httpPort();
  }

  @Test
  void composeSetsSettingsTheProcessesReadWithValuesTheyAccept() {
    assertEquals(Set.of("kafka", "coordinator", "worker"), fieldNames(compose.root().path("services")),
        "compose services (a new one needs its checks here)");
    Map<String, String> coordinatorEnv = ComposeFile.env(compose.service("coordinator"));
    assertReads(coordinator, "compose service coordinator", coordinatorEnv.keySet());
    assertReachableCoordinator("compose coordinator", ProcessSettings.coordinatorSettings(coordinatorEnv));
    Map<String, String> workerEnv = ComposeFile.env(compose.service("worker"));
    assertReads(worker, "compose service worker", workerEnv.keySet());
    assertEquals("http://coordinator:" + defaultPort, ProcessSettings.workerSettings(workerEnv).coordinatorUrl().toString(),
        "compose worker GOWORK_COORDINATOR_URL: the coordinator service on its port");
    for (String secret : fieldNames(compose.root().path("secrets"))) {
      String from = compose.root().path("secrets").path(secret).path("environment").asText("");
      assertTrue(from.isEmpty() || coordinator.reads(from) || worker.reads(from),
          "compose secret " + secret + " comes from " + from + ", a name the code does not read");
    }
    for (String service : List.of("coordinator", "worker")) {
      Set<String> mounted = new TreeSet<>();
      compose.service(service).path("secrets").forEach(n -> mounted.add(n.isTextual() ? n.asText() : n.path("source").asText()));
      ComposeFile.env(compose.service(service)).forEach((name, value) -> {
        if (name.endsWith("_FILE") && value.startsWith("/run/secrets/")) {
          String secret = value.substring("/run/secrets/".length());
          assertTrue(mounted.contains(secret) && compose.root().path("secrets").has(secret),
              "compose " + service + ": " + name + " points at secret " + secret + ", which it does not mount");
        }
      });
    }
  }

  @Test
  void kubernetesSetsSettingsTheProcessesReadWithValuesTheyAccept() {
    Set<String> deployments = new TreeSet<>();
    kube.all("Deployment").forEach(d -> deployments.add(d.path("metadata").path("name").asText()));
    assertEquals(Set.of("gowork-coordinator", "gowork-worker", "gowork-kafka"), deployments,
        "Deployments in deploy/k8s (a new one needs its checks here)");
    JsonNode coordinatorContainer = KubeObjects.container(kube.get("Deployment", "gowork-coordinator"));
    JsonNode workerContainer = KubeObjects.container(kube.get("Deployment", "gowork-worker"));
    assertReads(coordinator, "Deployment gowork-coordinator", KubeObjects.env(coordinatorContainer).keySet());
    assertReads(worker, "Deployment gowork-worker", KubeObjects.env(workerContainer).keySet());
    assertReachableCoordinator("k8s coordinator",
        ProcessSettings.coordinatorSettings(KubeObjects.literalEnv(coordinatorContainer)));
    JsonNode service = kube.get("Service", "gowork-coordinator");
    assertEquals("http://gowork-coordinator:" + service.path("spec").path("ports").get(0).path("port").asInt(),
        ProcessSettings.workerSettings(KubeObjects.literalEnv(workerContainer)).coordinatorUrl().toString(),
        "k8s worker GOWORK_COORDINATOR_URL: the coordinator Service's name and port");

    JsonNode secret = kube.get("Secret", "gowork-credentials");
    for (JsonNode container : List.of(coordinatorContainer, workerContainer)) {
      KubeObjects.env(container).forEach((var, entry) -> {
        JsonNode ref = entry.path("valueFrom").path("secretKeyRef");
        if (!ref.isMissingNode()) {
          assertEquals("gowork-credentials", ref.path("name").asText(), var + " names another Secret");
          assertTrue(secret.path("stringData").has(ref.path("key").asText()),
              var + " reads key " + ref.path("key").asText() + ", which secret.yaml does not have");
        }
      });
    }
    for (String key : fieldNames(secret.path("stringData"))) {
      assertTrue(coordinator.reads(key) || worker.reads(key), "secret.yaml key " + key + " is no setting the code reads");
    }
  }

  @Test
  void coordinatorListensOnItsDefaultPortEverywhere() {
    assertEquals(8080, defaultPort, "ARCHITECTURE.md: the coordinator service's default port");
    Dockerfile image = dockerfile(COORDINATOR_DOCKERFILE);
    int imageManagement = ProcessSettings.coordinatorSettings(image.env()).managementPort().orElseThrow();
    assertEquals(List.of(defaultPort, imageManagement), image.exposed(), COORDINATOR_DOCKERFILE + " EXPOSE");
    assertReads(coordinator, COORDINATOR_DOCKERFILE + " ENV", image.env().keySet());
    assertReachableCoordinator(COORDINATOR_DOCKERFILE + " ENV", ProcessSettings.coordinatorSettings(image.env()));
    assertReads(worker, WORKER_DOCKERFILE + " ENV", dockerfile(WORKER_DOCKERFILE).env().keySet());

    JsonNode published = compose.service("coordinator").path("ports");
    assertFalse(published.isEmpty(), "compose publishes the coordinator's port");
    published.forEach(p -> assertTrue(p.asText().endsWith(":" + defaultPort),
        "compose coordinator publishes " + p.asText() + ", not container port " + defaultPort));

    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-coordinator"));
    assertEquals(defaultPort, container.path("ports").get(0).path("containerPort").asInt(), "k8s coordinator containerPort");
    JsonNode port = kube.get("Service", "gowork-coordinator").path("spec").path("ports").get(0);
    assertEquals(defaultPort, port.path("port").asInt(), "k8s Service gowork-coordinator port");
    assertEquals(defaultPort, KubeObjects.resolvePort(container, port.path("targetPort")), "k8s Service targetPort");

    assertTrue(repo.read(LOCAL_SCRIPT).contains("GOWORK_HTTP_PORT:-" + defaultPort), LOCAL_SCRIPT + " defaults to " + defaultPort);
  }

  @Test
  void probesUseTheCoordinatorsHealthEndpoints() {
    MainSources code = MainSources.of(repo, "coordinator");
    assertTrue(code.hasLiteral("/healthz") && code.hasLiteral("/readyz"), "the coordinator serves /healthz and /readyz");
    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-coordinator"));
    int k8sProbePort = probePort(KubeObjects.literalEnv(container));
    assertProbe(container, "livenessProbe", "/healthz", k8sProbePort);
    assertProbe(container, "readinessProbe", "/readyz", k8sProbePort);
    if (container.has("startupProbe")) {
      assertProbe(container, "startupProbe", "/healthz", k8sProbePort);
    }
    String test = compose.service("coordinator").path("healthcheck").path("test").toString();
    String base = "http://127.0.0.1:" + probePort(ComposeFile.env(compose.service("coordinator")));
    assertTrue(test.contains(base + "/healthz") && test.contains(base + "/readyz"),
        "compose coordinator healthcheck asks " + base + "/healthz and /readyz: " + test);
    assertTrue(dockerfile(COORDINATOR_DOCKERFILE).all("RUN").stream().anyMatch(r -> r.contains("install") && r.contains("curl")),
        "the coordinator image installs curl, which its compose healthcheck runs");
  }

  @Test
  void probesUseTheWorkersHealthEndpointsOnThePortItServes() {
    MainSources code = MainSources.of(repo, "worker-runtime");
    assertTrue(code.hasLiteral("/healthz") && code.hasLiteral("/readyz") && code.hasLiteral("/metrics"),
        "the worker serves /healthz, /readyz and /metrics");
    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-worker"));
    int k8sPort = workerHttpPort("k8s worker", KubeObjects.literalEnv(container));
    for (String[] probe : new String[][] {{"livenessProbe", "/healthz"}, {"readinessProbe", "/readyz"}}) {
      JsonNode get = container.path(probe[0]).path("httpGet");
      assertEquals(probe[1], get.path("path").asText(), "k8s worker " + probe[0] + " path");
      assertEquals(k8sPort, KubeObjects.resolvePort(container, get.path("port")), "k8s worker " + probe[0] + " port");
    }
    JsonNode annotations = kube.get("Deployment", "gowork-worker").path("spec").path("template").path("metadata")
        .path("annotations");
    assertEquals(Integer.toString(k8sPort), annotations.path("prometheus.io/port").asText(), "k8s worker scrape port");

    int composePort = workerHttpPort("compose worker", ComposeFile.env(compose.service("worker")));
    String test = compose.service("worker").path("healthcheck").path("test").toString();
    String base = "http://127.0.0.1:" + composePort;
    assertTrue(test.contains(base + "/healthz") && test.contains(base + "/readyz"),
        "compose worker healthcheck asks " + base + "/healthz and /readyz: " + test);
    Dockerfile image = dockerfile(WORKER_DOCKERFILE);
    assertTrue(image.all("RUN").stream().anyMatch(r -> r.contains("install") && r.contains("curl")),
        "the worker image installs curl, which its compose healthcheck runs");
    assertEquals(Integer.toString(composePort), image.env().get("GOWORK_WORKER_HTTP_PORT"),
        WORKER_DOCKERFILE + " serves the port compose and Kubernetes probe");
  }

  private static int workerHttpPort(String where, Map<String, String> env) {
    int port = dev.gowork.worker.http.HttpAddress.fromEnv(env).orElseThrow(() -> new AssertionError(
        where + " sets no GOWORK_WORKER_HTTP_PORT, so it serves no probe")).port();
    assertTrue(port > 0, where + " GOWORK_WORKER_HTTP_PORT is a fixed port, not 0");
    return port;
  }

  @Test
  void dockerfilesRunTheJarTheBuildMakesAndMainsThatExist() {
    String jar = "cli/target/" + repo.pomValue("cli/pom.xml", "finalName") + ".jar";
    assertImage(COORDINATOR_DOCKERFILE, jar, dev.gowork.coordinator.Main.class, "coordinator");
    assertImage(WORKER_DOCKERFILE, jar, dev.gowork.worker.Main.class, "worker-runtime");
    Map.of("coordinator", COORDINATOR_DOCKERFILE, "worker", WORKER_DOCKERFILE).forEach((service, file) -> {
      JsonNode build = compose.service(service).path("build");
      Path context = repo.path("deploy").resolve(build.path("context").asText()).normalize();
      assertEquals(repo.root(), context, "compose " + service + " builds from the repository root");
      assertEquals(file, build.path("dockerfile").asText(), "compose " + service + " dockerfile");
      String k8sImage = KubeObjects.container(kube.get("Deployment", "gowork-" + service)).path("image").asText();
      assertEquals(compose.service(service).path("image").asText(), k8sImage, "k8s runs the image compose builds");
      assertTrue(repo.read(file + ".dockerignore").contains("!" + jar), file + ".dockerignore keeps " + jar);
    });
  }

  @Test
  void workersHaveTimeToDrainBeforeTheyAreKilled() {
    JsonNode service = compose.service("worker");
    long composeGrace = ProcessSettings.workerSettings(ComposeFile.env(service)).shutdownGrace().toSeconds();
    long stop = ComposeFile.seconds(service.path("stop_grace_period").asText());
    assertTrue(stop >= composeGrace + EXIT_MARGIN_SECONDS, "compose worker stop_grace_period " + stop
        + " s < the worker's shutdown grace " + composeGrace + " s + " + EXIT_MARGIN_SECONDS);
    JsonNode deployment = kube.get("Deployment", "gowork-worker");
    long k8sGrace = ProcessSettings.workerSettings(KubeObjects.literalEnv(KubeObjects.container(deployment)))
        .shutdownGrace().toSeconds();
    long termination = KubeObjects.podSpec(deployment).path("terminationGracePeriodSeconds").asLong();
    assertTrue(termination >= k8sGrace + EXIT_MARGIN_SECONDS, "k8s worker terminationGracePeriodSeconds "
        + termination + " < the worker's shutdown grace " + k8sGrace + " s + " + EXIT_MARGIN_SECONDS);
    long defaultGrace = ProcessSettings.workerSettings(Map.of()).shutdownGrace().toSeconds();
    assertTrue(repo.read(LOCAL_SCRIPT).contains("GOWORK_SHUTDOWN_GRACE_SECONDS:-" + defaultGrace + "}"),
        LOCAL_SCRIPT + " waits the worker's default grace, " + defaultGrace + " s");
  }

  @Test
  void theCoordinatorKeepsServingThroughItsPreStopAndHasTimeToStopAfterIt() {
    JsonNode deployment = kube.get("Deployment", "gowork-coordinator");
    JsonNode preStop = KubeObjects.container(deployment).path("lifecycle").path("preStop").path("exec").path("command");
    assertEquals("sleep", preStop.path(0).asText(), "the coordinator's preStop: " + preStop);
    long pause = preStop.path(1).asLong();
    long termination = KubeObjects.podSpec(deployment).path("terminationGracePeriodSeconds").asLong();
    assertTrue(pause >= 3 && termination >= pause + 20, "preStop sleep " + pause + " s, terminationGracePeriodSeconds "
        + termination + " s: the clean stop after it needs 20 s or more");
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
    assertEquals(image, kafka.path("image").asText(), "compose kafka image: the Kafka version the code is built with");
    assertSingleNodeBroker("compose kafka", ComposeFile.env(kafka),
        ComposeFile.env(compose.service("coordinator")).get("GOWORK_BOOTSTRAP_SERVERS"));
    JsonNode container = KubeObjects.container(kube.get("Deployment", "gowork-kafka"));
    assertEquals(image, container.path("image").asText(), "k8s kafka image");
    String bootstrap = KubeObjects.envValue(KubeObjects.container(kube.get("Deployment", "gowork-coordinator")),
        "GOWORK_BOOTSTRAP_SERVERS");
    assertSingleNodeBroker("k8s kafka", KubeObjects.literalEnv(container), bootstrap);
    JsonNode port = kube.get("Service", "gowork-kafka").path("spec").path("ports").get(0);
    assertEquals("gowork-kafka:" + port.path("port").asInt(), bootstrap, "k8s GOWORK_BOOTSTRAP_SERVERS: the kafka Service");
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
  void localScriptUsesSettingsTheCodeReads() {
    String launcher = repo.read("gowork");
    Matcher m = Pattern.compile("GOWORK_[A-Z0-9_]+").matcher(repo.read(LOCAL_SCRIPT));
    Set<String> unknown = new TreeSet<>();
    while (m.find()) {
      String name = m.group();
      boolean scriptOwn = name.startsWith("GOWORK_LOCAL_") || name.equals("GOWORK_CMD");
      if (!scriptOwn && !launcher.contains(name) && !coordinator.reads(name) && !worker.reads(name)) {
        unknown.add(name);
      }
    }
    assertEquals(Set.of(), unknown, LOCAL_SCRIPT + " uses settings that neither the launcher nor the code reads");
  }

  // ---- shared checks ----

  private static void assertReads(ProcessSettings process, String where, Set<String> names) {
    List<String> unread = names.stream().filter(n -> n.startsWith("GOWORK_") && !process.reads(n)).toList();
    assertEquals(List.of(), unread, where + " sets settings that " + process.describe() + " does not read");
  }

  private static void assertReachableCoordinator(String where, CoordinatorSettings settings) {
    assertEquals(defaultPort, settings.httpPort(), where + ": HTTP port");
    assertEquals(ALL_INTERFACES, settings.httpHost(), where + ": binds every interface, so others reach it");
  }

  /** Where a coordinator with these settings answers probes: its management port if set, else its API port. */
  private static int probePort(Map<String, String> env) {
    CoordinatorSettings s = ProcessSettings.coordinatorSettings(env);
    return s.managementPort().orElse(s.httpPort());
  }

  private static void assertProbe(JsonNode container, String probe, String path, int port) {
    JsonNode get = container.path(probe).path("httpGet");
    assertEquals(path, get.path("path").asText(), "k8s coordinator " + probe + " path");
    assertEquals(port, KubeObjects.resolvePort(container, get.path("port")), "k8s coordinator " + probe + " port");
  }

  private static void assertImage(String file, String jar, Class<?> main, String module) {
    Dockerfile d = dockerfile(file);
    assertEquals("eclipse-temurin:17-jre", d.from(), file + " FROM");
    assertFalse(Set.of("root", "0", "0:0").contains(d.user()), file + " runs as a non-root USER, not " + d.user());
    String jarDest = copyDestination(d, jar, jar.substring(jar.lastIndexOf('/') + 1));
    String libDest = copyDestination(d, "cli/target/lib/", "");
    List<String> classPath = List.of(d.classPath().split(":"));
    assertTrue(classPath.contains(jarDest) && classPath.contains(libDest + "*"),
        file + " class path " + classPath + " has " + jarDest + " and " + libDest + "*");
    assertEquals("java", d.entrypoint().get(0), file + " ENTRYPOINT runs java itself (PID 1 gets SIGTERM)");
    assertEquals(main.getName(), d.mainClass(), file + " main class");
    String source = module + "/src/main/java/" + main.getName().replace('.', '/') + ".java";
    assertTrue(repo.exists(source), file + ": " + source + " is in module " + module);
    assertDoesNotThrow(() -> main.getMethod("main", String[].class), main.getName() + " has main(String[])");
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
