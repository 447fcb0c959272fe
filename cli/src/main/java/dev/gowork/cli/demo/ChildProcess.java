package dev.gowork.cli.demo;

import dev.gowork.broker.FileErrors;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A JVM the demo (or the soak) started, its stdout and stderr in one log file. {@link #stop} asks it
 * to end (SIGTERM, so its shutdown hooks run) and kills it after a grace period; {@link #kill} does
 * not ask.
 */
public final class ChildProcess {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java [jvmOptions] -cp classPath mainClass} with exactly {@code env} as its environment.
   *
   * @throws UncheckedIOException when the process cannot start
   */
  static ChildProcess startJava(String name, String java, List<String> jvmOptions, String classPath, String mainClass,
      Map<String, String> env, Path log) {
    return startJava(name, java, jvmOptions, classPath, mainClass, List.of(), env, log);
  }

  /**
   * Starts {@code java [jvmOptions] -cp classPath mainClass [args]} with exactly {@code env} as its environment.
   *
   * @throws UncheckedIOException when the process cannot start
   */
  public static ChildProcess startJava(String name, String java, List<String> jvmOptions, String classPath,
      String mainClass, List<String> args, Map<String, String> env, Path log) {
    List<String> command = Stream.of(List.of(java), jvmOptions, List.of("-cp", classPath, mainClass), args)
        .flatMap(List::stream).toList();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      return new ChildProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + name + " (" + java + "): " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, or -1 while running. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** SIGTERM, then SIGKILL when still running after {@code graceMillis}; waits for the end. */
  public void stop(long graceMillis) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGKILL (no shutdown hook runs, nothing is flushed or acknowledged), then waits for the end.
   *
   * @return true when the process has ended within {@code waitMillis}
   */
  public boolean kill(long waitMillis) {
    process.destroyForcibly();
    try {
      return process.waitFor(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The last {@code lines} lines of the log, each indented, or a note when it cannot be read. */
  public String tail(int lines) {
    Deque<String> last = new ArrayDeque<>(lines);
    try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
      all.forEach(l -> {
        if (last.size() == lines) {
          last.removeFirst();
        }
        last.addLast(l.length() > 500 ? l.substring(0, 500) + "..." : l);
      });
    } catch (IOException | UncheckedIOException e) {
      return "    (cannot read " + log + ": " + (e instanceof IOException io ? FileErrors.why(io, log) : e.getMessage()) + ")";
    }
    return last.isEmpty() ? "    (the log is empty)" : "    " + String.join("\n    ", last);
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
