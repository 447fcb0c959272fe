package dev.gowork.cli.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instructions of a Dockerfile that the deploy tests check (comments dropped, continuations joined). */
record Dockerfile(String name, List<String[]> instructions) {

  /** A {@code COPY src... dest} instruction, without its flags (--chown=...). */
  record Copy(List<String> sources, String destination) {}

  static Dockerfile parse(String name, String text) {
    List<String[]> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String joined = current.toString().strip();
      current.setLength(0);
      if (!joined.isEmpty()) {
        String[] parts = joined.split("\\s+", 2);
        instructions.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
      }
    }
    return new Dockerfile(name, instructions);
  }

  /** The arguments of every instruction with this keyword, in order. */
  List<String> all(String keyword) {
    return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
  }

  String from() {
    return all("FROM").get(0).split("\\s+")[0];
  }

  String user() {
    List<String> users = all("USER");
    return users.isEmpty() ? "root" : users.get(users.size() - 1).strip();
  }

  List<Copy> copies() {
    List<Copy> copies = new ArrayList<>();
    for (String args : all("COPY")) {
      List<String> words = Arrays.stream(args.split("\\s+")).filter(w -> !w.startsWith("--")).toList();
      copies.add(new Copy(words.subList(0, words.size() - 1), words.get(words.size() - 1)));
    }
    return copies;
  }

  List<Integer> exposed() {
    return all("EXPOSE").stream().flatMap(a -> Arrays.stream(a.split("\\s+")))
        .map(p -> Integer.parseInt(p.replace("/tcp", ""))).toList();
  }

  /** ENV settings in the {@code KEY=value} form. */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String args : all("ENV")) {
      for (String pair : args.split("\\s+")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          env.put(pair.substring(0, eq), pair.substring(eq + 1).replace("\"", ""));
        }
      }
    }
    return env;
  }

  /** The exec-form ENTRYPOINT; fails for the shell form, which would keep java from getting SIGTERM. */
  List<String> entrypoint() {
    List<String> entrypoints = all("ENTRYPOINT");
    if (entrypoints.size() != 1 || !entrypoints.get(0).startsWith("[")) {
      throw new AssertionError(name + ": expected one exec-form ENTRYPOINT [\"java\", ...], got " + entrypoints);
    }
    try {
      return new ObjectMapper().readValue(entrypoints.get(0), new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": ENTRYPOINT is not a JSON array", e);
    }
  }

  /** The value after {@code -cp} or {@code -classpath} in the ENTRYPOINT. */
  String classPath() {
    List<String> args = entrypoint();
    for (int i = 0; i < args.size() - 1; i++) {
      if (args.get(i).equals("-cp") || args.get(i).equals("-classpath")) {
        return args.get(i + 1);
      }
    }
    throw new AssertionError(name + ": the ENTRYPOINT has no -cp: " + args);
  }

  /** The ENTRYPOINT's last word: the main class. */
  String mainClass() {
    List<String> args = entrypoint();
    return args.get(args.size() - 1);
  }
}
