package dev.gowork.cli;

import dev.gowork.cli.settings.CliContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A captured console for running the cli in tests: a given environment and stdin, recorded stdout and stderr. */
public final class Console {
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
