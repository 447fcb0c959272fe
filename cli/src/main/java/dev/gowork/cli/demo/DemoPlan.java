package dev.gowork.cli.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything one demo run was resolved to. The secret and the token are masked in {@link #toString()}.
 *
 * @param parentEnv the cli's environment, which the children inherit (minus GOWORK_* settings)
 * @param java the java launcher of this JVM
 * @param classPath this JVM's class path, which holds the coordinator and the worker too
 * @param coordinatorMain the coordinator's main class
 * @param workerMain the worker's main class
 */
record DemoPlan(int items, int workers, int concurrency, int workTimeoutSeconds, Path dataDir, int httpPort,
    int kafkaPort, String secret, String apiToken, Map<String, String> parentEnv, String java, String classPath,
    String coordinatorMain, String workerMain) {

  @Override
  public String toString() {
    return "DemoPlan[items=" + items + ", workers=" + workers + ", concurrency=" + concurrency + ", dataDir=" + dataDir
        + ", httpPort=" + httpPort + ", kafkaPort=" + kafkaPort + ", secret=****, apiToken=****]";
  }
}
