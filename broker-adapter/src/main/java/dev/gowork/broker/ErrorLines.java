package dev.gowork.broker;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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

  /**
   * The line for command-line arguments a command does not know: the options typed (up to any {@code =}) and
   * the likely ones meant, e.g. {@code unknown option '--concurency' (did you mean --concurrency?)}, but never
   * a value, since a secret passed by mistake as a flag or an argument would land in a log.
   *
   * @param unmatched the arguments the parser could not place, as typed
   * @param known the command's option names; those within two edits of one typed are named
   */
  public static String unknownArguments(List<String> unmatched, Collection<String> known) {
    Set<String> options = new LinkedHashSet<>();
    for (String a : unmatched) {
      if (a.startsWith("-") && a.length() > 1) {
        options.add(a.contains("=") ? a.substring(0, a.indexOf('=')) : a);
      }
    }
    String secretsNote = "secrets are read only from the environment or a *_FILE, never from a flag";
    if (options.isEmpty()) {
      return (unmatched.size() == 1 ? "an argument" : unmatched.size() + " arguments")
          + " not understood (not shown: " + secretsNote + ")";
    }
    StringBuilder line = new StringBuilder(options.size() == 1 ? "unknown option " : "unknown options ")
        .append(String.join(", ", options.stream().map(o -> "'" + o + "'").toList()));
    List<String> like = known.stream().filter(o -> o.startsWith("--"))
        .filter(o -> options.stream().anyMatch(typed -> editDistance(o, typed) <= 2)).sorted().toList();
    if (!like.isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", like)).append("?)");
    }
    if (options.stream().anyMatch(o -> o.toLowerCase(Locale.ROOT).matches(".*(secret|token|password).*"))) {
      line.append("; ").append(secretsNote);
    }
    return line.toString();
  }

  /** Edits (insertions, deletions, substitutions, swaps of neighbours) that turn {@code a} into {@code b}. */
  public static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
