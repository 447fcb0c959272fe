package dev.gowork.cli.settings;

/**
 * A failure the command reports as one line on stderr (no stack trace) with an exit code:
 * {@link #USAGE} (2) for a bad flag or setting, {@link #FAILED} (1) for anything that went wrong while running.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Exit code of a run that failed. */
  public static final int FAILED = 1;
  /** Exit code of a bad flag, argument or setting. */
  public static final int USAGE = 2;

  private final int exitCode;

  private CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A bad flag, argument or setting: exit code 2. The message names the setting. */
  public static CliException usage(String message) {
    return new CliException(USAGE, message, null);
  }

  /** A failure while running: exit code 1. */
  public static CliException failed(String message) {
    return new CliException(FAILED, message, null);
  }

  /** A failure while running, keeping its cause for debugging: exit code 1. */
  public static CliException failed(String message, Throwable cause) {
    return new CliException(FAILED, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
