package dev.gowork.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** deploy/compose.yaml, its services and their settings. */
final class ComposeFile {
  static final String PATH = "deploy/compose.yaml";
  private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?");

  private final JsonNode root;

  ComposeFile(RepoFiles repo) {
    this.root = repo.yaml(PATH).get(0);
  }

  JsonNode root() {
    return root;
  }

  JsonNode service(String name) {
    JsonNode s = root.path("services").path(name);
    if (s.isMissingNode()) {
      throw new AssertionError(PATH + " has no service " + name);
    }
    return s;
  }

  /** A service's environment, in either the map form or the list form ("KEY=value"). */
  static Map<String, String> env(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode e = service.path("environment");
    if (e.isArray()) {
      e.forEach(item -> {
        String s = item.asText();
        int eq = s.indexOf('=');
        env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
      });
    } else {
      e.properties().forEach(f -> env.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
    }
    return env;
  }

  /** A compose duration such as "40s", "1m30s" or "2m", in seconds. */
  static long seconds(String duration) {
    Matcher m = DURATION.matcher(duration.strip());
    if (duration.isBlank() || !m.matches()) {
      throw new AssertionError("not a whole-second compose duration: " + duration);
    }
    return 3600L * parse(m.group(1)) + 60L * parse(m.group(2)) + parse(m.group(3));
  }

  private static long parse(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
