package dev.gowork.cli;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.cli.delegate.MainDelegate;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * The {@code gowork} command: {@code coordinator | worker | submit | status | cancel | queue | dead | schedule | events
 * | kafka | demo | bench | soak}.
 *
 * <pre>{@code
 * int code = Main.run("submit", "{\"x\":1}");   // returns the exit code, never exits
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 failure, 2 bad flag or setting (the message names it), 3 not implemented.
 * {@code coordinator} and {@code worker} return whatever their mains return.
 */
public final class Main {
  private Main() {}

  /** Runs the command and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command with this process's environment and streams; returns the exit code. */
  public static int run(String... args) {
    return run(CliContext.system(), args);
  }

  /** Runs the command in the given context (environment, streams); returns the exit code. */
  public static int run(CliContext context, String... args) {
    if (args.length == 2 && args[0].equals("help") && (args[1].equals("coordinator") || args[1].equals("worker"))) {
      // Their settings are their mains' own: 'gowork help coordinator' is 'gowork coordinator --help'.
      args = new String[] {args[1], "--help"};
    }
    if (args.length > 0 && (args[0].equals("coordinator") || args[0].equals("worker"))) {
      MainDelegate target = args[0].equals("coordinator") ? MainDelegate.COORDINATOR : MainDelegate.WORKER;
      if (asksForVersion(args)) {
        // One version line for every command of the launcher, as 'gowork -V' prints it (their mains
        // have lines of their own, for when they run alone, as in the images).
        context.out().println(GoWorkCommand.Version.line());
        return 0;
      }
      try {
        return target.run(Arrays.copyOfRange(args, 1, args.length));
      } catch (RuntimeException e) {
        return report(context.err(), e);
      }
    }
    CommandLine line = new CommandLine(new GoWorkCommand(context), new ContextFactory(context));
    // -V after a command ('gowork submit -V') prints the version too, not an empty line: the
    // subcommands' standard help options have no provider of their own.
    line.getSubcommands().values().forEach(sub -> {
      if (sub.getCommandSpec().version().length == 0) {
        sub.getCommandSpec().versionProvider(new GoWorkCommand.Version());
      }
    });
    line.setOut(writer(context.out()));
    line.setErr(writer(context.err()));
    line.setExecutionExceptionHandler((e, cl, parsed) -> report(context.err(), e));
    line.setParameterExceptionHandler((e, args2) -> {
      // One line, as for every other error; the usage is one --help away.
      String command = e.getCommandLine().getCommandSpec().qualifiedName();
      String unknown = unknownCommand(e);
      if (unknown != null) {
        context.err().println("gowork: " + unknown);
        return CliException.USAGE;
      }
      // Never the unmatched values themselves, nor a value that may be another option or a secret: a token
      // or secret typed as a flag would land in a log.
      String problem = e instanceof CommandLine.UnmatchedArgumentException u
          ? ErrorLines.unknownArguments(List.of(args2), u.getUnmatched(),
              u.getCommandLine().getCommandSpec().optionsMap().keySet())
          : refusedValue(e);
      context.err().println("gowork: " + problem + " (see '" + command + " --help')");
      return CliException.USAGE;
    });
    return line.execute(args);
  }

  /**
   * The message for a first argument that is no command ({@code gowork sumbit}), naming the likely
   * one (named only when it looks like a command word); null for any other parameter error.
   */
  private static String unknownCommand(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u) || e.getCommandLine().getParent() != null
        || u.getUnmatched().isEmpty() || u.getUnmatched().get(0).startsWith("-")) {
      return null;
    }
    String typed = u.getUnmatched().get(0);
    Set<String> commands = e.getCommandLine().getSubcommands().keySet();
    int longest = commands.stream().mapToInt(String::length).max().orElse(0);
    if (!typed.matches("[A-Za-z][A-Za-z0-9-]*") || typed.length() > longest + 2) {
      // Not shown: no command looks like it, and it may be a secret typed in the wrong place.
      return "the first argument is no command (not shown: secrets are read only from the environment or a *_FILE); "
          + "'gowork --help' lists the commands";
    }
    List<String> like = commands.stream().filter(name -> ErrorLines.editDistance(name, typed) <= 2).toList();
    return "unknown command '" + typed + "'"
        + (like.isEmpty() ? "" : " (did you mean " + String.join(" or ", like) + "?)")
        + "; 'gowork --help' lists the commands";
  }

  /** The line for a value the parser refused, without the value when it may be another option or a secret. */
  private static String refusedValue(CommandLine.ParameterException e) {
    CommandLine.Model.ArgSpec arg = e.getArgSpec();
    if (arg == null && e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
      arg = m.getMissing().get(0);
    }
    String option = arg instanceof CommandLine.Model.OptionSpec o ? o.longestName() : null;
    return ErrorLines.refusedValue(e.getMessage(), option, arg == null ? null : arg.paramLabel(),
        e.getCommandLine().getCommandSpec().optionsMap().keySet());
  }

  /** True when an argument after the command, before any {@code --}, is {@code -V} or {@code --version}. */
  private static boolean asksForVersion(String[] args) {
    for (int i = 1; i < args.length && !args[i].equals("--"); i++) {
      if (args[i].equals("-V") || args[i].equals("--version")) {
        return true;
      }
    }
    return false;
  }

  private static int report(PrintStream err, Exception e) {
    if (e instanceof CliException c) {
      err.println("gowork: " + c.getMessage());
      return c.exitCode();
    }
    if (e instanceof GoWorkException g) {
      err.println("gowork: " + g.getMessage() + " (" + g.code().wireName() + ")");
      return CliException.FAILED;
    }
    err.println("gowork: unexpected error: " + e);
    e.printStackTrace(err);
    return CliException.FAILED;
  }

  private static PrintWriter writer(PrintStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }
}
