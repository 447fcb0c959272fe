package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package structure one-way: the facade sees every concept; each concept package sees
 * only the ones listed here; the service's packages (http, metrics) also see the facade; nothing in
 * the coordinator sees the worker runtime or the CLI.
 */
class PackageDependenciesTest {
  private static final Path MAIN = Path.of("src/main/java/dev/gowork/coordinator");
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("state", Set.of()),
      Map.entry("events", Set.of("state")),
      Map.entry("work", Set.of("events", "state")),
      Map.entry("auth", Set.of("events", "state")),
      Map.entry("timeout", Set.of()),
      Map.entry("queue", Set.of("state")),
      Map.entry("retry", Set.of("work", "queue")),
      Map.entry("forward", Set.of("events", "state")),
      Map.entry("results", Set.of("auth", "events", "forward", "retry", "work", "state")),
      Map.entry("schedule", Set.of("state")),
      Map.entry("config", Set.of()),
      Map.entry("metrics", Set.of("auth", "work", "queue")),
      Map.entry("http", Set.of("auth", "work", "config", "metrics", "schedule", "queue")));
  /** The service's packages sit above the facade: they may use it; the library's packages may not. */
  private static final Set<String> ABOVE_FACADE = Set.of("metrics", "http");
  private static final Pattern IMPORT = Pattern.compile("^import (static )?dev\\.gowork\\.([a-z]+)(\\.([a-z]+))?(\\.|;)",
      Pattern.MULTILINE);

  @Test
  void dependenciesPointOneWay() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(f).getNameCount() > 1 ? MAIN.relativize(f).getName(0).toString() : "";
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String module = m.group(2);
          String sub = m.group(4);
          if (module.equals("worker") || module.equals("cli")) {
            violations.add(f + " imports dev.gowork." + module);
          } else if (module.equals("coordinator") && !pkg.isEmpty()) {
            if (sub == null && !ABOVE_FACADE.contains(pkg)) {
              violations.add(f + " imports the facade package");
            } else if (sub != null && !sub.equals(pkg) && !ALLOWED.get(pkg).contains(sub)) {
              violations.add(f + " imports coordinator." + sub);
            }
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
