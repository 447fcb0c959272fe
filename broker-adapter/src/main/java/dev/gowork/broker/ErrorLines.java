package dev.gowork.broker;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An exception as the one line a command prints when it cannot start. */
public final class ErrorLines {
  /** A word that names a secret, with more letters or digits glued to it: {@code --api-tokenVALUE}. */
  /** Past this length (and the longest option known, plus two) a long option has a value glued to it. */
  private static final int GLUED_AFTER = 32;
  private static final Pattern GLUED_TO_SECRET_WORD = Pattern.compile("(?i)(secret|token|password)(?=[a-z0-9])");

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
   * The line for command-line arguments a command does not know: the options typed and the likely ones meant,
   * e.g. {@code unknown option '--concurency' (did you mean --concurrency?)}, but never a value, since a secret
   * passed by mistake as a flag or an argument would land in a log. So an option is named only up to what
   * may be a value: a long one up to its {@code =} (or any other character no option name has), not at all
   * when that is longer than 32 characters and than the longest option known plus two (a value glued to it),
   * and else only up to a word such as {@code token} with letters glued to it ({@code --api-tokenVALUE});
   * a short one as its first letter ({@code -sVALUE} is {@code -s} and its value). Not named at all: the
   * argument right after an option named whole (it may be that option's value, even one that starts with
   * {@code -}), and every argument after {@code --} (values, whatever they look like).
   *
   * @param args the command line as typed (to find {@code --})
   * @param unmatched the arguments the parser could not place, as typed
   * @param known the command's option names; those within two edits of one typed are named
   */
  public static String unknownArguments(List<String> args, List<String> unmatched, Collection<String> known) {
    int end = args.indexOf("--");
    Set<String> afterEnd = end < 0 ? Set.of() : new HashSet<>(args.subList(end + 1, args.size()));
    int longest = known.stream().mapToInt(String::length).max().orElse(0);
    Set<String> options = new LinkedHashSet<>();
    boolean mayBeAValue = false;
    for (String a : unmatched) {
      String name = mayBeAValue || afterEnd.contains(a) ? null : optionName(a, longest);
      mayBeAValue = a.equals(name);
      if (name != null) {
        options.add(name);
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

  /** The option {@code a} names, without anything that may be a value; null when it names none to show. */
  private static String optionName(String a, int longestKnown) {
    boolean isLong = a.startsWith("--");
    int first = isLong ? 2 : 1;
    if (!a.startsWith("-") || a.length() <= first || !isNameLetter(a.charAt(first))) {
      return null;
    }
    if (!isLong) {
      return a.substring(0, 2);
    }
    int i = first;
    while (i < a.length() && (a.charAt(i) == '-' || isNameLetter(a.charAt(i)))) {
      i++;
    }
    if (i > Math.max(longestKnown + 2, GLUED_AFTER)) {
      return null;
    }
    Matcher glued = GLUED_TO_SECRET_WORD.matcher(a).region(0, i);
    return a.substring(0, glued.find() ? glued.end() : i);
  }

  private static boolean isNameLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
