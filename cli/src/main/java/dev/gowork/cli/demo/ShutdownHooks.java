package dev.gowork.cli.demo;

/** Shutdown hooks that close what a command started, if the JVM ends before the command does. */
public final class ShutdownHooks {
  private ShutdownHooks() {}

  /**
   * Removes {@code hook} once its command closed what it started itself; while the JVM is already
   * shutting down (the hook runs or has run, and closing twice is harmless) there is nothing to remove.
   */
  public static void forget(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs: what it closes is closed either way
    }
  }
}
