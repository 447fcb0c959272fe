package dev.gowork.coordinator.auth;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WorkerNameRule;

/**
 * The name a worker may give when it registers (a replica's {@code GOWORK_WORKER_NAME}): 1-100
 * characters, not blank, no control or format characters ({@link WorkerNameRule}). Informative only: shown in the worker list, never
 * used to find or authenticate a worker.
 */
public final class WorkerNames {
  /** Longest name (a replica's {@code GOWORK_WORKER_NAME} has the same bound). */
  public static final int MAX_CHARS = WorkerNameRule.MAX_CHARS;

  private WorkerNames() {}

  /**
   * Returns {@code name} when it is a valid worker name, or null for null.
   *
   * @throws GoWorkException INVALID_ARGUMENT for a blank or over-long name, or one with control characters
   */
  public static String check(String name) {
    if (name != null && !isValid(name)) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'name' must be 1-" + MAX_CHARS
          + " characters without control or format characters (a replica's GOWORK_WORKER_NAME), was "
          + name.length() + " characters");
    }
    return name;
  }

  static boolean isValid(String name) {
    return WorkerNameRule.isValid(name);
  }
}
