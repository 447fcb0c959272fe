package dev.gowork.cli.settings;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a command may touch of its process: the environment it reads settings from, its streams,
 * and whether a person is watching (a console) so that output may redraw a line.
 *
 * @param env the environment variables (settings come from flags, then these, then defaults)
 * @param interactive true when attached to a console ({@code System.console() != null})
 */
public record CliContext(Map<String, String> env, PrintStream out, PrintStream err, InputStream in, boolean interactive) {

  public CliContext {
    env = Map.copyOf(Objects.requireNonNull(env, "env"));
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(in, "in");
  }

  /** This process's environment and standard streams. */
  public static CliContext system() {
    return new CliContext(System.getenv(), System.out, System.err, System.in, System.console() != null);
  }

  /** The settings resolver over {@link #env()}. */
  public Settings settings() {
    return new Settings(env);
  }
}
