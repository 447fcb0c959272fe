package dev.gowork.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The main Java sources of the modules one process runs, read as text: which {@code GOWORK_*} settings
 * they name as whole string literals (so a name only mentioned in a message or a comment does not count),
 * and whether a literal such as {@code "/readyz"} occurs.
 */
final class MainSources {
  /** A whole literal: a name, a family prefix ending in "_", or a family written "GOWORK_KAFKA_*". */
  private static final Pattern SETTING = Pattern.compile("\"(GOWORK_[A-Z0-9_]+)(?:\\*)?\"");
  private static final String BARE_PREFIX = "GOWORK_";

  private final String process;
  private final List<String> texts;
  private final Set<String> settings = new TreeSet<>();

  private MainSources(String process, List<String> texts) {
    this.process = process;
    this.texts = texts;
    for (String text : texts) {
      Matcher m = SETTING.matcher(text);
      while (m.find()) {
        settings.add(m.group(1));
      }
    }
  }

  /** The sources under {@code <module>/src/main/java} of each module, for the process named {@code process}. */
  static MainSources of(RepoFiles repo, String process, String... modules) {
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
    return new MainSources(process, texts);
  }

  /**
   * True when the code names this setting, or a prefix of it that ends in "_" (a pass-through family
   * such as {@code GOWORK_KAFKA_}); a bare {@code "GOWORK_"} is no such prefix.
   */
  boolean readsSetting(String name) {
    return settings.contains(name) || settings.stream().anyMatch(s -> s.endsWith("_")
        && s.length() > BARE_PREFIX.length() && name.startsWith(s) && name.length() > s.length());
  }

  boolean hasLiteral(String value) {
    String quoted = "\"" + value + "\"";
    return texts.stream().anyMatch(t -> t.contains(quoted));
  }

  Set<String> settings() {
    return settings;
  }

  /** For failure messages, e.g. "the worker (reads [GOWORK_HANDLER, ...])". */
  String describe() {
    return "the " + process + " (its code reads " + settings + ")";
  }
}
