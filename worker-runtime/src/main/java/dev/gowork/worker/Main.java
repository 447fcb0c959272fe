package dev.gowork.worker;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.worker.handler.HandlerRegistry;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.runtime.WorkerRuntime;
import dev.gowork.worker.runtime.WorkerSetting;
import dev.gowork.worker.runtime.WorkerSettings;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Runs one worker replica until SIGTERM (or Ctrl-C), then drains it.
 *
 * <pre>
 * GOWORK_SECRET=... GOWORK_HANDLER=echo java -cp worker-runtime.jar:... dev.gowork.worker.Main
 * java ... dev.gowork.worker.Main --handler com.example.Resize --queue images --concurrency 8
 * </pre>
 *
 * Settings come from flags, then environment variables ({@link WorkerSetting}), then defaults. Exit
 * codes: 0 after a clean stop, 2 for a bad setting or a refused secret, 1 for anything else.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    WorkerSettings settings;
    WorkHandler handler;
    try {
      settings = settings(args, env, out);
      if (settings == null) {
        return OK;
      }
      handler = HandlerRegistry.builtIns().resolve(settings.handler().orElseThrow(() -> new GoWorkException(
          ErrorCode.INVALID_ARGUMENT, WorkerSetting.HANDLER.label() + " must be set, e.g. to echo")));
    } catch (GoWorkException | CommandLine.ParameterException e) {
      err.println("gowork worker: " + e.getMessage());
      err.println("Run with --help to list every setting.");
      return USAGE;
    }
    WorkerRuntime runtime;
    try {
      runtime = WorkerRuntime.builder(settings).handler(handler).start();
    } catch (GoWorkException e) {
      LOG.error("could not start: {}", e.getMessage());
      boolean settingProblem = e.code() == ErrorCode.UNAUTHENTICATED || e.code() == ErrorCode.INVALID_ARGUMENT;
      return settingProblem ? USAGE : FAILED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "gowork-shutdown"));
    try {
      runtime.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runtime.close();
    return runtime.failure().isPresent() ? FAILED : OK;
  }

  /**
   * Parses flags over {@code env}; prints the help and returns {@code null} when asked for it.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the setting
   * @throws CommandLine.ParameterException for an unknown flag or a flag without its value
   */
  static WorkerSettings settings(String[] args, Map<String, String> env, PrintWriter out) {
    CommandLine cli = new CommandLine(spec());
    ParseResult parsed = cli.parseArgs(args);
    if (cli.isUsageHelpRequested()) {
      cli.usage(out);
      out.flush();
      return null;
    }
    Map<String, String> merged = new HashMap<>(env);
    for (WorkerSetting s : WorkerSetting.values()) {
      if (s.flag() != null && parsed.hasMatchedOption(s.flag())) {
        merged.put(s.env(), parsed.matchedOptionValue(s.flag(), ""));
        if (s == WorkerSetting.SECRET_FILE) {
          merged.remove(WorkerSetting.SECRET.env());
        }
      }
    }
    return WorkerSettings.fromEnv(merged);
  }

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("gowork-worker");
    spec.usageMessage()
        .description("Runs a GoWork worker replica: registers with the coordinator, takes work from a queue's",
            "Kafka share group, runs it with a handler and writes signed results. Stops cleanly on SIGTERM.")
        .footerHeading("%nEnvironment only:%n")
        .footer("  " + WorkerSetting.SECRET.env() + "  " + WorkerSetting.SECRET.description(),
            "  " + WorkerSetting.KAFKA.env() + "  " + WorkerSetting.KAFKA.description(),
            "Exit codes: 0 stopped cleanly, 2 bad setting or refused secret, 1 other failure.");
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    for (WorkerSetting s : WorkerSetting.values()) {
      if (s.flag() != null) {
        spec.addOption(OptionSpec.builder(s.flag())
            .paramLabel("<" + s.flag().substring(2) + ">")
            .type(String.class)
            .description(s.description() + ". Env " + s.env() + "; default: " + s.defaultText() + ".")
            .build());
      }
    }
    return spec;
  }
}
