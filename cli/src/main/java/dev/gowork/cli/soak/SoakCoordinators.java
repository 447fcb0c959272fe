package dev.gowork.cli.soak;

import dev.gowork.cli.demo.ChildProcess;
import dev.gowork.cli.demo.DemoPlan;
import dev.gowork.cli.demo.ShutdownHooks;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The soak's coordinators when there are several: a Kafka broker of their own ({@code gowork kafka},
 * a child JVM on the plan's Kafka port, data in the plan's folder), then coordinators {@code a},
 * {@code b}, ... (child JVMs, {@code GOWORK_INSTANCE_ID} their letter, each on its own HTTP port, a
 * session timeout of {@value #SESSION_TIMEOUT_MS} ms so that a takeover takes about 10 s). A
 * coordinator killed on purpose is no failure for {@link #checkAlive} until it is restarted with the
 * same id and port. {@link #close} stops the coordinators, then the broker; a shutdown hook does the
 * same on Ctrl-C.
 *
 * <p>The killer thread kills and restarts; the soak's thread checks: the slots are an atomic array.
 */
final class SoakCoordinators implements AutoCloseable {
  static final String SESSION_TIMEOUT_MS = "10000";
  private static final long GRACE_MILLIS = 10_000;
  private static final int TAIL_LINES = 30;
  private static final String BROKER_READY = "GOWORK_BOOTSTRAP_SERVERS=";
  private static final Pattern GAINED = Pattern.compile("owns results partitions .* \\((\\d+) unfinished items taken over\\)");
  /** The shipped layout logs "AbandonedTransactions fencing ...", the tests' "AbandonedTransactions - fencing ...". */
  private static final Pattern FENCED = Pattern.compile("AbandonedTransactions (- )?fencing the transactional ids");

  /** What the coordinators' logs say about partition ownership, counted over every start. */
  record Takeovers(int gains, int gainsWithUnfinishedWork, int fences) {}

  private final DemoPlan plan;
  private final List<Integer> ports = new ArrayList<>();
  private final AtomicReferenceArray<ChildProcess> running;
  private final Thread hook;
  private volatile ChildProcess broker;
  private volatile boolean stopping;

  SoakCoordinators(DemoPlan plan, int count, PrintStream notices) {
    this.plan = plan;
    this.running = new AtomicReferenceArray<>(count);
    ports.add(plan.httpPort());
    ports.addAll(DemoPlan.freePortsApart(count - 1, List.of(plan.httpPort(), plan.kafkaPort()), DemoPlan::freePort));
    this.hook = new Thread(() -> {
      notices.println("soak: interrupted; stopping the coordinators and Kafka");
      stopAll();
    }, "StopSoakCoordinators");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  int size() {
    return running.length();
  }

  String bootstrapServers() {
    return "127.0.0.1:" + plan.kafkaPort();
  }

  /** The instance id of coordinator {@code index}: a, b, c, ... */
  static String instanceId(int index) {
    return String.valueOf((char) ('a' + index));
  }

  URI url(int index) {
    return URI.create("http://127.0.0.1:" + ports.get(index));
  }

  CoordinatorClient client(int index) {
    return new CoordinatorClient(url(index), plan.apiToken(), "the soak's coordinator " + instanceId(index),
        Duration.ofSeconds(60));
  }

  /**
   * What a worker of these coordinators needs: it registers with one of them, which may be down (killed,
   * restarting) when the worker starts, for up to the late restart plus a slow start; the default 20 tries
   * (about 75 s) gave up within that, and a worker that gives up ends the soak. 200 tries are about 16 min.
   */
  static final Map<String, String> WORKER_SETTINGS = Map.of("GOWORK_HANDSHAKE_ATTEMPTS", "200");

  /** A client of every coordinator, in order. */
  List<CoordinatorClient> clients() {
    List<CoordinatorClient> clients = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      clients.add(client(i));
    }
    return clients;
  }

  /** True while coordinator {@code index} runs (it may still be starting). */
  boolean isUp(int index) {
    ChildProcess c = running.get(index);
    return c != null && c.isAlive();
  }

  /** Starts the broker, waits until it answers, then every coordinator, and waits until each is ready. */
  void start(Duration readyTimeout) {
    Map<String, String> env = plan.childEnv();
    env.put("GOWORK_DATA_DIR", plan.dataDir().toString());
    env.put("GOWORK_EMBEDDED_KAFKA_PORT", Integer.toString(plan.kafkaPort()));
    broker = launch("kafka", List.of("-Xmx1g"), plan.classPath(), "dev.gowork.cli.Main", List.of("kafka"), env);
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (!logHas(broker.log(), BROKER_READY)) {
      if (!broker.isAlive()) {
        throw failure("Kafka (gowork kafka) exited with code " + broker.exitCode() + " before it was ready", broker);
      }
      if (System.nanoTime() - deadline > 0) {
        throw failure("Kafka (gowork kafka) was not ready within " + readyTimeout.toSeconds() + " s", broker);
      }
      pause(200);
    }
    for (int i = 0; i < size(); i++) {
      running.set(i, startCoordinator(i));
    }
    for (int i = 0; i < size(); i++) {
      awaitReady(i, readyTimeout);
    }
  }

  /** SIGKILL of coordinator {@code index}; waits until it has ended. */
  ChildProcess kill(int index) {
    ChildProcess c = running.getAndSet(index, null);
    c.kill(GRACE_MILLIS);
    return c;
  }

  /** Starts coordinator {@code index} again, with its instance id and port, and waits until it is ready. */
  ChildProcess restart(int index, Duration readyTimeout) {
    running.set(index, startCoordinator(index));
    if (stopping) {
      running.get(index).stop(GRACE_MILLIS);
      throw CliException.failed("interrupted; the coordinators and Kafka were stopped");
    }
    awaitReady(index, readyTimeout);
    return running.get(index);
  }

  /** @throws CliException failed, with its log's tail, when the broker or a coordinator not killed on purpose has exited */
  void checkAlive() {
    if (broker != null && !broker.isAlive()) {
      throw failure("Kafka (gowork kafka) exited with code " + broker.exitCode(), broker);
    }
    for (int i = 0; i < size(); i++) {
      ChildProcess c = running.get(i);
      if (c != null && !c.isAlive()) {
        throw failure("the " + c.name() + " exited with code " + c.exitCode(), c);
      }
    }
  }

  /** Counts, in every coordinator's log, the partitions gained and the transactions fenced. */
  Takeovers takeovers() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      all.addAll(lines(plan.dataDir().resolve("logs").resolve(name(i) + ".log")));
    }
    return takeovers(all);
  }

  /** Counts, in coordinators' log lines, the partitions gained and the transactions fenced. */
  static Takeovers takeovers(List<String> lines) {
    int gains = 0;
    int withWork = 0;
    int fences = 0;
    for (String line : lines) {
      Matcher m = GAINED.matcher(line);
      if (m.find()) {
        gains++;
        withWork += Integer.parseInt(m.group(1)) > 0 ? 1 : 0;
      }
      fences += FENCED.matcher(line).find() ? 1 : 0;
    }
    return new Takeovers(gains, withWork, fences);
  }

  @Override
  public void close() {
    stopAll();
    ShutdownHooks.forget(hook);
  }

  private void stopAll() {
    stopping = true;
    List<Thread> stops = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      ChildProcess c = running.get(i);
      if (c != null) {
        Thread t = new Thread(() -> c.stop(GRACE_MILLIS), "StopSoakCoordinator");
        t.start();
        stops.add(t);
      }
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (broker != null) {
      broker.stop(GRACE_MILLIS);
    }
  }

  private ChildProcess startCoordinator(int index) {
    Map<String, String> env = plan.childEnv();
    env.put("GOWORK_BOOTSTRAP_SERVERS", bootstrapServers());
    env.put("GOWORK_DATA_DIR", plan.dataDir().toString()); // unused with a broker given; kept off the working folder
    env.put("GOWORK_INSTANCE_ID", instanceId(index));
    env.put("GOWORK_HTTP_HOST", "127.0.0.1");
    env.put("GOWORK_HTTP_PORT", Integer.toString(ports.get(index)));
    env.put("GOWORK_API_TOKEN", plan.apiToken());
    env.put("GOWORK_KAFKA_SESSION_TIMEOUT_MS", SESSION_TIMEOUT_MS);
    return launch(name(index), List.of("-Xmx1g"), plan.classPath(), plan.coordinatorMain(), List.of(), env);
  }

  private void awaitReady(int index, Duration readyTimeout) {
    CoordinatorClient probe = client(index);
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (!probe.answersOk("/readyz")) {
      ChildProcess c = running.get(index);
      if (c == null || !c.isAlive()) {
        throw failure("the " + name(index) + " exited before it was ready", c);
      }
      if (System.nanoTime() - deadline > 0) {
        throw failure("the " + name(index) + " was not ready within " + readyTimeout.toSeconds() + " s (GET "
            + url(index) + "/readyz)", c);
      }
      pause(200);
    }
  }

  private ChildProcess launch(String name, List<String> jvmOptions, String classPath, String mainClass,
      List<String> args, Map<String, String> env) {
    try {
      ChildProcess c = ChildProcess.startJava(name, plan.java(), jvmOptions, classPath, mainClass, args, env,
          plan.dataDir().resolve("logs").resolve(name + ".log"));
      if (stopping) {
        c.stop(GRACE_MILLIS);
        throw CliException.failed("interrupted; the coordinators and Kafka were stopped");
      }
      return c;
    } catch (UncheckedIOException e) {
      throw CliException.failed(e.getMessage(), e);
    }
  }

  private static String name(int index) {
    return "coordinator-" + instanceId(index);
  }

  private static boolean logHas(Path log, String text) {
    return lines(log).stream().anyMatch(l -> l.startsWith(text));
  }

  private static List<String> lines(Path log) {
    if (!Files.exists(log)) {
      return List.of();
    }
    try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
      return all.toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static CliException failure(String what, ChildProcess c) {
    return c == null ? CliException.failed(what)
        : CliException.failed(what + "; its log is " + c.log() + ", ending with:\n" + c.tail(TAIL_LINES));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
  }
}
