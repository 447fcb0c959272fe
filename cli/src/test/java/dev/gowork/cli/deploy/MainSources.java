package dev.gowork.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The main Java sources of some modules, read as text, to find string literals such as {@code "/readyz"}. */
final class MainSources {
  private final List<String> texts;

  private MainSources(List<String> texts) {
    this.texts = texts;
  }

  /** The sources under {@code <module>/src/main/java} of each module. */
  static MainSources of(RepoFiles repo, String... modules) {
    List<String> texts = new ArrayList<>();
    for (String module : modules) {
      Path dir = repo.path(module + "/src/main/java");
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          texts.add(Files.readString(f, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new MainSources(texts);
  }

  /** True when {@code "value"}, quotes included, occurs in a source file. */
  boolean hasLiteral(String value) {
    String quoted = "\"" + value + "\"";
    return texts.stream().anyMatch(t -> t.contains(quoted));
  }
}
