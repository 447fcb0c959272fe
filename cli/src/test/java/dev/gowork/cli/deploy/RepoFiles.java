package dev.gowork.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's files as the deploy tests read them: plain text, YAML documents, POM values. */
final class RepoFiles {
  private static final YAMLMapper YAML = new YAMLMapper();

  private final Path root;

  private RepoFiles(Path root) {
    this.root = root;
  }

  /** The repository around the working directory (Maven runs the cli tests in cli/). */
  static RepoFiles locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return new RepoFiles(dir);
      }
    }
    throw new IllegalStateException("no repository with deploy/ above " + Path.of("").toAbsolutePath());
  }

  Path root() {
    return root;
  }

  Path path(String relative) {
    return root.resolve(relative);
  }

  boolean exists(String relative) {
    return Files.exists(path(relative));
  }

  String read(String relative) {
    try {
      return Files.readString(path(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + relative, e);
    }
  }

  /** Every document of a YAML file, in order ("---" separates them). */
  List<JsonNode> yaml(String relative) {
    try {
      return YAML.readerFor(JsonNode.class).<JsonNode>readValues(read(relative)).readAll();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + relative, e);
    }
  }

  /** The text of the first {@code <tag>} in a POM, e.g. finalName; fails when it has none. */
  String pomValue(String pom, String tag) {
    Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]+?)\\s*</" + tag + ">").matcher(read(pom));
    if (!m.find()) {
      throw new AssertionError(pom + " has no <" + tag + ">");
    }
    return m.group(1);
  }
}
