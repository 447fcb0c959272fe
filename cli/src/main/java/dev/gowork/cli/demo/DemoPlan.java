package dev.gowork.cli.demo;

import dev.gowork.broker.signing.Signatures;
import dev.gowork.cli.delegate.MainDelegate;
import dev.gowork.cli.settings.CliException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Everything one demo (or soak) run was resolved to; {@link LocalCluster} starts its processes from
 * it. The secret and the token are masked in {@link #toString()}.
 *
 * @param parentEnv the cli's environment, which the children inherit (minus GOWORK_* settings)
 * @param java the java launcher of this JVM
 * @param classPath this JVM's class path, which holds the coordinator and the worker too
 * @param coordinatorMain the coordinator's main class
 * @param workerMain the worker's main class
 */
public record DemoPlan(int items, int workers, int concurrency, int workTimeoutSeconds, Path dataDir, int httpPort,
    int kafkaPort, String secret, String apiToken, Map<String, String> parentEnv, String java, String classPath,
    String coordinatorMain, String workerMain) {

  /**
   * A plan for this machine: two free ports, a fresh random secret and API token, this JVM's java
   * launcher and class path (which holds the coordinator and the worker too).
   *
   * @throws CliException failed when no free port is found
   */
  public static DemoPlan local(int items, int workers, int concurrency, int workTimeoutSeconds, Path dataDir,
      Map<String, String> parentEnv) {
    List<Integer> ports = freePortsApart(2, List.of(), DemoPlan::freePort);
    return new DemoPlan(items, workers, concurrency, workTimeoutSeconds, dataDir, ports.get(0), ports.get(1),
        Signatures.randomToken(), Signatures.randomToken(), parentEnv, javaLauncher(),
        System.getProperty("java.class.path"), MainDelegate.COORDINATOR.className(), MainDelegate.WORKER.className());
  }

  /** The parent's environment without any GOWORK_* setting (they would point the children elsewhere), plus the secret. */
  public Map<String, String> childEnv() {
    Map<String, String> env = new HashMap<>();
    parentEnv.forEach((k, v) -> {
      if (!k.startsWith("GOWORK_")) {
        env.put(k, v);
      }
    });
    env.put("GOWORK_SECRET", secret);
    return env;
  }

  /**
   * A free port on 127.0.0.1 now (another process may take it before it is used).
   *
   * @throws CliException failed when none is found
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw CliException.failed("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /**
   * {@code count} ports from {@code freePorts}, different from each other and from {@code taken}: a port
   * found free is not bound until its process starts, so the system may hand it out again meanwhile.
   *
   * @throws CliException failed when 100 of the ports offered were already taken
   */
  public static List<Integer> freePortsApart(int count, Collection<Integer> taken, IntSupplier freePorts) {
    Set<Integer> seen = new LinkedHashSet<>(taken);
    List<Integer> ports = new ArrayList<>(count);
    for (int misses = 0; ports.size() < count; ) {
      int port = freePorts.getAsInt();
      if (seen.add(port)) {
        ports.add(port);
      } else if (++misses == 100) {
        throw CliException.failed("cannot find " + count + " free ports on 127.0.0.1 apart from " + seen);
      }
    }
    return ports;
  }

  private static String javaLauncher() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  @Override
  public String toString() {
    return "DemoPlan[items=" + items + ", workers=" + workers + ", concurrency=" + concurrency + ", dataDir=" + dataDir
        + ", httpPort=" + httpPort + ", kafkaPort=" + kafkaPort + ", secret=****, apiToken=****]";
  }
}
