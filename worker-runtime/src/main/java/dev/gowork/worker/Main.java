package dev.gowork.worker;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.process.StopSignals;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.worker.handler.HandlerRegistry;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.http.HttpAddress;
import dev.gowork.worker.http.WorkerHttp;
import dev.gowork.worker.runtime.Health;
import dev.gowork.worker.runtime.WorkerRuntime;
import dev.gowork.worker.runtime.WorkerSetting;
import dev.gowork.worker.runtime.WorkerSettings;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
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
 * codes: 0 after a clean stop, 2 for a bad setting, a refused secret or Kafka ACLs the worker lacks, 1 for
 * anything else.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs a replica until it is stopped (SIGTERM or Ctrl-C) and returns the exit code instead of
   * exiting: 0 after a clean stop or {@code --help}, 1 when it cannot run, 2 for a bad setting (or secret, or
   * Kafka ACLs the worker lacks).
   */
  public static int run(String... args) {
    return run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    WorkerSettings settings;
    Optional<HttpAddress> httpAddress;
    WorkHandler handler;
    try {
      Map<String, String> merged = merged(args, env, out);
      if (merged == null) {
        return OK;
      }
      settings = WorkerSettings.fromEnv(merged);
      httpAddress = HttpAddress.fromEnv(merged);
      handler = HandlerRegistry.builtIns().resolve(settings.handler().orElseThrow(() -> new GoWorkException(
          ErrorCode.INVALID_ARGUMENT, WorkerSetting.HANDLER.label() + " must be set, e.g. to echo")));
    } catch (CommandLine.UnmatchedArgumentException e) {
      err.println("gowork worker: " + unknown(e, args) + " (see --help)");
      return USAGE;
    } catch (CommandLine.ParameterException e) {
      err.println("gowork worker: " + refused(e) + " (see --help)");
      return USAGE;
    } catch (GoWorkException e) {
      err.println("gowork worker: " + e.getMessage());
      return USAGE;
    }
    PrometheusMeterRegistry registry = null;
    WorkerHttp http = null;
    AtomicReference<WorkerRuntime> started = new AtomicReference<>();
    if (httpAddress.isPresent()) {
      // Before the handshake, so a taken port fails at once, and a liveness probe answers while the
      // replica waits for its coordinator.
      HttpAddress a = httpAddress.get();
      registry = meters();
      try {
        http = WorkerHttp.start(a.host(), a.port(), registry,
            () -> started.get() == null ? Health.starting() : started.get().health());
      } catch (GoWorkException e) {
        err.println("gowork worker: " + e.getMessage() + " (" + WorkerSetting.HTTP_HOST.env() + ", "
            + WorkerSetting.HTTP_PORT.env() + ")");
        return USAGE;
      }
      LOG.info("serving /healthz, /readyz and /metrics on {}:{}", a.host(), http.port());
    }
    try {
      return runUntilStopped(settings, handler, registry, started, err);
    } finally {
      if (http != null) {
        http.close();
      }
    }
  }

  private static int runUntilStopped(WorkerSettings settings, WorkHandler handler, PrometheusMeterRegistry registry,
      AtomicReference<WorkerRuntime> started, PrintWriter err) {
    WorkerRuntime runtime;
    try {
      WorkerRuntime.Builder builder = WorkerRuntime.builder(settings).handler(handler);
      if (registry != null) {
        builder.meterRegistry(registry);
      }
      runtime = builder.start();
    } catch (GoWorkException e) {
      // One line, as every command's errors are; not logged as well: the log goes to stderr too.
      err.println("gowork worker: could not start: " + ErrorLines.oneLine(e));
      // FORBIDDEN: Kafka refused the worker's principal (an ACL missing), which a restart does not fix either.
      boolean settingProblem = e.code() == ErrorCode.UNAUTHENTICATED || e.code() == ErrorCode.INVALID_ARGUMENT
          || e.code() == ErrorCode.FORBIDDEN;
      return settingProblem ? USAGE : FAILED;
    } catch (RuntimeException e) {
      LOG.debug("the worker failed to start", e);
      err.println("gowork worker: could not start: " + ErrorLines.oneLine(e));
      return FAILED;
    }
    started.set(runtime);
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "gowork-shutdown"));
    StopSignals.onStop("the worker", runtime::close);
    try {
      runtime.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runtime.close();
    return runtime.failure().isPresent() ? FAILED : OK;
  }


  /** The unknown flags, named without their values (a secret typed as a flag stays out of logs). */
  private static String unknown(CommandLine.UnmatchedArgumentException e, String[] args) {
    return ErrorLines.unknownArguments(List.of(args), e.getUnmatched(),
        e.getCommandLine().getCommandSpec().optionsMap().keySet());
  }

  /** A flag's value the parser refused, without the value when it may be another option or a secret. */
  private static String refused(CommandLine.ParameterException e) {
    CommandLine.Model.ArgSpec arg = e.getArgSpec();
    if (arg == null && e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
      arg = m.getMissing().get(0);
    }
    return ErrorLines.refusedValue(e.getMessage(), arg instanceof OptionSpec o ? o.longestName() : null,
        arg == null ? null : arg.paramLabel(), e.getCommandLine().getCommandSpec().optionsMap().keySet());
  }

  /** A Prometheus registry with the JVM's own meters (memory, GC, threads, CPU, uptime). */
  private static PrometheusMeterRegistry meters() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * Parses flags over {@code env}; prints the help (or the version) and returns {@code null} when asked for it.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the setting
   * @throws CommandLine.ParameterException for an unknown flag or a flag without its value
   */
  static WorkerSettings settings(String[] args, Map<String, String> env, PrintWriter out) {
    Map<String, String> merged = merged(args, env, out);
    return merged == null ? null : WorkerSettings.fromEnv(merged);
  }

  /** {@code env} with the flags' values over it, or {@code null} after printing the help. */
  private static Map<String, String> merged(String[] args, Map<String, String> env, PrintWriter out) {
    CommandLine cli = new CommandLine(spec());
    ParseResult parsed = cli.parseArgs(args);
    if (cli.isUsageHelpRequested()) {
      cli.usage(out);
      out.flush();
      return null;
    }
    if (cli.isVersionHelpRequested()) {
      cli.printVersionHelp(out);
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
    return merged;
  }

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("gowork worker").version("GoWork worker "
        + Optional.ofNullable(Main.class.getPackage().getImplementationVersion()).orElse("(development build)"));
    // Picocli wraps each description and footer entry on its own: the description is one entry, and
    // the footer is written wrapped (80 columns), as the coordinator's is.
    spec.usageMessage()
        .description("Runs a GoWork worker replica: registers with the coordinator, takes work from a queue's Kafka "
            + "share group, runs it with a handler and writes signed results; stops cleanly on SIGTERM. Each "
            + "setting comes from its flag, else its env var, else its default.")
        .footerHeading("%nFrom the environment only (never flags):%n")
        .footer(
            "  " + WorkerSetting.SECRET.env() + " or " + WorkerSetting.SECRET_FILE.env() + " (or --secret-file)",
            "      the secret shared with the coordinator; required, " + SharedSecret.MIN_LENGTH + "-"
                + SharedSecret.MAX_LENGTH + " characters",
            "  " + WorkerSetting.KAFKA.env() + ", as GOWORK_KAFKA_<NAME>=<value>",
            "      any Kafka client property: GOWORK_KAFKA_SECURITY_PROTOCOL=SSL sets",
            "      security.protocol; these override --kafka-properties-file",
            "%nExit codes: 0 stopped cleanly, 2 bad setting, refused secret or missing Kafka",
            "  ACL, 1 other failure.");
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print the version and exit.")
        .build());
    for (WorkerSetting s : WorkerSetting.values()) {
      if (s.flag() != null) {
        spec.addOption(OptionSpec.builder(s.flag())
            .paramLabel("<" + s.placeholder() + ">")
            .type(String.class)
            .description(s.help())
            .build());
      }
    }
    return spec;
  }
}
