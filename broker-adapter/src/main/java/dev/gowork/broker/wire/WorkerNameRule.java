package dev.gowork.broker.wire;

/**
 * What a worker's name (a replica's {@code GOWORK_WORKER_NAME}, sent when it registers) may be: 1-100
 * characters, not blank, with no control characters and no characters that change how the text
 * around them is shown (Unicode format characters such as a right-to-left override or a zero-width
 * joiner, and the line and paragraph separators), so that a name shown in a worker list, the
 * dashboard or a log is the text it looks like. One rule for the worker that sends it and the
 * coordinator that checks it.
 */
public final class WorkerNameRule {
  /** Longest name. */
  public static final int MAX_CHARS = 100;

  private WorkerNameRule() {}

  /** True when {@code name} is a valid worker name. */
  public static boolean isValid(String name) {
    return name != null && !name.isBlank() && name.length() <= MAX_CHARS
        && name.codePoints().noneMatch(WorkerNameRule::misleading);
  }

  // Not refused: code points this JDK does not know yet (a newer JDK on the other side may know them).
  private static boolean misleading(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.PRIVATE_USE;
  }
}
