package dev.gowork.cli.delegate;

import dev.gowork.cli.settings.CliException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Hands every argument, untouched, to another process main's {@code public static int run(String...)}.
 * Looked up by name so that the cli compiles and starts even when a module is left off the class path.
 */
public final class MainDelegate {
  /** The coordinator service's main. */
  public static final MainDelegate COORDINATOR = new MainDelegate("coordinator", "dev.gowork.coordinator.Main");
  /** The worker replica's main. */
  public static final MainDelegate WORKER = new MainDelegate("worker", "dev.gowork.worker.Main");

  private final String command;
  private final String className;

  MainDelegate(String command, String className) {
    this.command = command;
    this.className = className;
  }

  /** The subcommand that reaches this main, e.g. {@code coordinator}. */
  public String command() {
    return command;
  }

  /** The fully qualified class name, for starting it as a child process. */
  public String className() {
    return className;
  }

  /**
   * Runs the main in this JVM.
   *
   * @return its exit code
   * @throws CliException failed when the class or its {@code run} method is missing
   */
  public int run(String... args) {
    Method run;
    try {
      run = Class.forName(className).getMethod("run", String[].class);
    } catch (ClassNotFoundException | LinkageError e) {
      throw CliException.failed(command + ": " + className + " is not on the class path (" + e
          + "); rebuild with ./mvnw -DskipTests package", e);
    } catch (NoSuchMethodException e) {
      throw CliException.failed(command + ": " + className + " has no public static int run(String...)", e);
    }
    try {
      return (Integer) run.invoke(null, (Object) args.clone());
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw CliException.failed(command + ": " + cause, cause);
    } catch (IllegalAccessException e) {
      throw CliException.failed(command + ": " + className + ".run is not public", e);
    }
  }
}
