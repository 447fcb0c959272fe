package dev.gowork.cli.deploy;

import dev.gowork.coordinator.Main;
import dev.gowork.coordinator.config.CoordinatorSettings;
import dev.gowork.worker.runtime.WorkerSetting;
import dev.gowork.worker.runtime.WorkerSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a GoWork process accepts, taken from its own code: the env var names its main exposes, and its
 * settings parser, which a deploy file's values are fed to (with test values for the secrets, which
 * deploy files only reference).
 */
final class ProcessSettings {
  private static final String TEST_SECRET = "deploy-test-secret-".repeat(3);
  private static final String TEST_API_TOKEN = "deploy-test-token-".repeat(2);

  private final String process;
  private final Set<String> names = new TreeSet<>();
  private final Set<String> prefixes = new TreeSet<>();

  private ProcessSettings(String process) {
    this.process = process;
  }

  /** {@code dev.gowork.coordinator.Main.ENV_VARS} and the Kafka pass-through prefix. */
  static ProcessSettings coordinator() {
    ProcessSettings s = new ProcessSettings("coordinator");
    s.names.addAll(Main.ENV_VARS);
    s.prefixes.add(CoordinatorSettings.KAFKA_ENV_PREFIX);
    return s;
  }

  /** Every {@link WorkerSetting}; a name ending in "*" is a family such as {@code GOWORK_KAFKA_*}. */
  static ProcessSettings worker() {
    ProcessSettings s = new ProcessSettings("worker");
    for (WorkerSetting w : WorkerSetting.values()) {
      if (w.env().endsWith("*")) {
        s.prefixes.add(w.env().substring(0, w.env().length() - 1));
      } else {
        s.names.add(w.env());
      }
    }
    return s;
  }

  boolean reads(String name) {
    return names.contains(name) || prefixes.stream().anyMatch(p -> name.startsWith(p) && name.length() > p.length());
  }

  /** For failure messages: "the coordinator (reads [...] and ...*)". */
  String describe() {
    return "the " + process + " (reads " + names + " and " + prefixes + "*)";
  }

  /** The coordinator's settings from these env values; the secrets are test values. */
  static CoordinatorSettings coordinatorSettings(Map<String, String> env) {
    return CoordinatorSettings.parse(withTestSecrets(env));
  }

  /** The worker's settings from these env values; the secret is a test value. */
  static WorkerSettings workerSettings(Map<String, String> env) {
    return WorkerSettings.fromEnv(withTestSecrets(env));
  }

  private static Map<String, String> withTestSecrets(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    // In place of the manifests' mounted files (the variable and its _FILE form together are refused).
    all.remove("GOWORK_SECRET_FILE");
    all.remove(CoordinatorSettings.API_TOKEN_FILE);
    all.put("GOWORK_SECRET", TEST_SECRET);
    all.put(CoordinatorSettings.API_TOKEN, TEST_API_TOKEN);
    return all;
  }
}
