package dev.gowork.broker;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/** An exception as the one line a command prints when it cannot start. */
public final class ErrorLines {
  private ErrorLines() {}

  /**
   * {@code e} on one line: a GoWorkException's message (else the exception's class and message), then each
   * cause with a message that line does not already hold ({@code "; caused by: <class>: <message>"}): a Kafka
   * client that cannot be built says only "Failed to construct kafka producer", and why is in its causes.
   */
  public static String oneLine(Throwable e) {
    StringBuilder why = new StringBuilder(e instanceof GoWorkException && e.getMessage() != null ? e.getMessage()
        : e.toString());
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(e);
    for (Throwable t = e.getCause(); t != null && seen.add(t); t = t.getCause()) {
      String m = t.getMessage();
      // A cause without a message adds only its class; one the line already says (in any case) adds nothing.
      if (m != null && !m.isBlank() && !why.toString().toLowerCase(Locale.ROOT).contains(m.toLowerCase(Locale.ROOT))) {
        why.append("; caused by: ").append(t);
      }
    }
    return why.toString().replaceAll("\\s*\\R\\s*", " ");
  }
}
