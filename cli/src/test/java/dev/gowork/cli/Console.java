package dev.gowork.cli;

import dev.gowork.cli.settings.CliContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A captured console for running the cli in tests: a given environment and stdin, recorded stdout and stderr. */
public final class Console {
  /**
   * JVM options for the coordinators and workers the tests start as child JVMs: C1 only and the serial
   * collector. On a 2-core machine several JVMs start at once, and their C2 compiler threads and parallel
   * GC workers compete with each other for the cores (the demo's and a service pair's children used
   * about half the CPU time with these; LocalDeployTest's children have had them from the start).
   */
  public static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /**
   * This process's environment, plus {@link #CHILD_JVM_OPTIONS} in {@code JAVA_TOOL_OPTIONS}: for a
   * command that starts child JVMs with fixed options of its own ({@code demo}, {@code soak}).
   */
  public static Map<String, String> envForChildJvms() {
    Map<String, String> env = new HashMap<>(System.getenv());
    String own = String.join(" ", CHILD_JVM_OPTIONS);
    env.merge("JAVA_TOOL_OPTIONS", own, (before, added) -> before + " " + added);
    return env;
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final CliContext context;

  public Console(Map<String, String> env) {
    this(env, "");
  }

  public Console(Map<String, String> env, String stdin) {
    context = new CliContext(env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false);
  }

  /** Runs {@code gowork args...}; returns the exit code. */
  public int run(String... args) {
    return Main.run(context, args);
  }

  public CliContext context() {
    return context;
  }

  public String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  public String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
