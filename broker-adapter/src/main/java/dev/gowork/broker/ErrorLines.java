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
  /** Past this length (and the longest option known, plus two) a long option has a value glued to it. */
  private static final int GLUED_AFTER = 32;
  /** A word that names a secret, with more letters or digits glued to it: {@code --api-tokenVALUE}. */
  private static final Pattern GLUED_TO_SECRET_WORD = Pattern.compile("(?i)(secret|token|password)(?=[a-z0-9])");
  /** A setting (flag or env var) whose value is a secret or names a file that holds one. */
  private static final Pattern SECRET_SETTING = Pattern.compile("(?i).*(secret|token|password).*");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
  private static final Pattern QUOTED = Pattern.compile("'([^']*)'");
  /** Longest value an error line quotes. */
  private static final int QUOTED_MAX = 100;

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

  /**
   * Whether an error line may quote {@code value}, given to {@code setting} (a flag or an env var): not when the
   * setting holds a secret or names a file that does (a secret typed after {@code --secret-file} by mistake
   * would land in a log), nor when the value starts with {@code -} and is no number (a flag whose value was
   * forgotten took the next argument: another option, or a secret typed as one, as in {@code -t -sSECRET}).
   */
  public static boolean mayQuote(String setting, String value) {
    boolean secretSetting = setting != null && SECRET_SETTING.matcher(setting).matches();
    return !secretSetting && (value == null || !value.startsWith("-") || NUMBER.matcher(value).matches());
  }

  /**
   * {@code value} as an error line shows it: quoted ({@code 'abc'}, cut past 100 characters), or, where
   * {@link #mayQuote} says no, {@code <not shown: ...>} with the reason; {@code unset} for null.
   *
   * @param setting the flag or env var it was given to
   */
  public static String quoted(String setting, String value) {
    if (value == null) {
      return "unset";
    }
    if (!mayQuote(setting, value)) {
      return notShown(setting);
    }
    return "'" + (value.length() > QUOTED_MAX ? value.substring(0, QUOTED_MAX) + "…" : value) + "'";
  }

  /**
   * The line for an option's value that the command-line parser refused: the parser's own message, which
   * quotes it ({@code Invalid value for option '--timeout': 'abc' is not an int}), unless it quotes an
   * argument that {@link #mayQuote} keeps out ({@code -t -sSECRET}); then the option and what it takes,
   * without the value.
   *
   * @param message the parser's message
   * @param option the option whose value was refused, or null when the parser does not say
   * @param takes what the option takes, e.g. {@code SECONDS}
   * @param known the command's option names, which the message may quote
   */
  public static String refusedValue(String message, String option, String takes, Collection<String> known) {
    Matcher quoted = QUOTED.matcher(message);
    StringBuilder line = new StringBuilder();
    boolean hidden = false;
    while (quoted.find()) {
      String q = quoted.group(1);
      boolean shown = known.contains(q) || mayQuote(option, q);
      hidden |= !shown;
      quoted.appendReplacement(line, Matcher.quoteReplacement(shown ? quoted.group() : notShown(option)));
    }
    quoted.appendTail(line);
    if (!hidden) {
      return message;
    }
    if (option == null) {
      return line.toString();
    }
    return "option '" + option + "' takes " + takes + "; was " + notShown(option);
  }

  /** What an error line shows in place of a value given to {@code setting}, where {@link #mayQuote} said no. */
  private static String notShown(String setting) {
    return setting != null && SECRET_SETTING.matcher(setting).matches() ? "<not shown: the setting is a secret's>"
        : "<not shown: it starts with '-', so it may be the next option (after a forgotten value) or a secret>";
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
