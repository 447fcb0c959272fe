package dev.gowork.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Kubernetes objects of deploy/k8s/*.yaml, looked up by kind and name. */
final class KubeObjects {
  static final String DIR = "deploy/k8s/";
  static final List<String> FILES = List.of("secret.yaml", "coordinator.yaml", "worker.yaml", "kafka.yaml");

  private final List<JsonNode> objects = new ArrayList<>();

  KubeObjects(RepoFiles repo) {
    for (String file : FILES) {
      for (JsonNode doc : repo.yaml(DIR + file)) {
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          objects.add(doc);
        }
      }
    }
  }

  List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  JsonNode get(String kind, String name) {
    return all(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(DIR + " has no " + kind + " named " + name));
  }

  static JsonNode podSpec(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec");
  }

  /** The Deployment's only container. */
  static JsonNode container(JsonNode deployment) {
    JsonNode containers = podSpec(deployment).path("containers");
    if (containers.size() != 1) {
      throw new AssertionError(name(deployment) + ": expected one container, got " + containers.size());
    }
    return containers.get(0);
  }

  static String name(JsonNode object) {
    return object.path("kind").asText() + " " + object.path("metadata").path("name").asText();
  }

  /** The container's env as name to entry ({@code value} or {@code valueFrom}). */
  static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
    return env;
  }

  /** The env entries that carry a literal {@code value} (not {@code valueFrom}). */
  static Map<String, String> literalEnv(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    env(container).forEach((name, entry) -> {
      if (entry.has("value")) {
        env.put(name, entry.path("value").asText());
      }
    });
    return env;
  }

  static String envValue(JsonNode container, String name) {
    JsonNode entry = env(container).get(name);
    return entry == null || !entry.has("value") ? null : entry.path("value").asText();
  }

  /** A container port given by number or by name. */
  static int resolvePort(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + port.asText() + " in " + container.path("name").asText());
  }
}
