package dev.gowork.coordinator;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.process.StopSignals;
import dev.gowork.broker.topic.ShareGroupSettingRefused;
import dev.gowork.coordinator.config.CoordinatorSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The coordinator process: {@code java -cp ... dev.gowork.coordinator.Main [--http-port 8080 ...]}.
 * Settings come from flags, then env vars, then defaults ({@code --help} lists them all); the
 * secrets from the environment only. Runs until SIGTERM or Ctrl-C, then closes the HTTP API, the
 * work server and the embedded broker, in that order.
 *
 * <p>Exit codes: 0 after a clean shutdown or {@code --help}; 2 for a bad flag or setting (the
 * message names it), also one the brokers refuse for a queue's share group; 1 when the service cannot start (e.g. Kafka unreachable, port taken); 3 after
 * another coordinator started with the same instance id took this one over (it closes gracefully
 * first; the log's error says whether two live coordinators share an id).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** Every env var the coordinator reads by exact name, plus any {@code GOWORK_KAFKA_<NAME>}. */
  public static final List<String> ENV_VARS = CoordinatorSettings.ENV_VARS;
  /** Exit status after another coordinator with the same instance id took this one over. */
  static final int TAKEN_OVER = 3;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the coordinator until it is shut down; returns the exit code and never calls {@code System.exit}. */
  public static int run(String... args) {
    return run(System.getenv(), args);
  }

  static int run(Map<String, String> env, String... args) {
    return run(env, service -> { }, args);
  }

  /** As {@link #run(String...)} with an injected environment; {@code started} gets the running service. */
  static int run(Map<String, String> env, Consumer<CoordinatorService> started, String... args) {
    return run(env, null, started, args);
  }

  /** As above, with error lines going to {@code errors} (stderr when null). */
  static int run(Map<String, String> env, PrintWriter errors, Consumer<CoordinatorService> started, String... args) {
    CommandLine cl = new CommandLine(CoordinatorSettings.commandSpec());
    if (errors != null) {
      cl.setErr(errors);
    }
    PrintWriter err = cl.getErr();
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (CommandLine.UnmatchedArgumentException e) {
      err.println("coordinator: " + CoordinatorSettings.unknown(e, args) + " (see --help)");
      err.flush();
      return 2;
    } catch (CommandLine.ParameterException e) {
      err.println("coordinator: " + CoordinatorSettings.refused(e) + " (see --help)");
      err.flush();
      return 2;
    }
    if (cl.isUsageHelpRequested()) {
      cl.usage(cl.getOut());
      return 0;
    }
    if (cl.isVersionHelpRequested()) {
      cl.printVersionHelp(cl.getOut());
      return 0;
    }
    CoordinatorSettings settings;
    try {
      settings = CoordinatorSettings.resolve(parsed, env);
    } catch (GoWorkException e) {
      err.println("coordinator: " + e.getMessage());
      err.flush();
      return 2;
    }
    LOG.info("starting with {}", settings);
    long startedAt = System.nanoTime();
    CoordinatorService service;
    try {
      service = CoordinatorService.start(settings);
    } catch (RuntimeException e) {
      // One line on stderr (docs/cli.md), not a log line too: a GoWorkException's message says what to fix;
      // anything else is named by its class; with their causes, where the reason often is (a Kafka client
      // that cannot be built says only "Failed to construct kafka producer"). The stack trace is at DEBUG.
      LOG.debug("the coordinator failed to start", e);
      err.println("coordinator: failed to start: " + ErrorLines.oneLine(e));
      err.flush();
      return refusedSetting(e) ? 2 : 1;
    }
    Thread hook = new Thread(service::close, "gowork-coordinator-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StopSignals.onStop("the coordinator", service::close);
    started.accept(service);
    try {
      service.awaitClosed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      service.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is what closed the service
    }
    String ran = ran(Duration.ofNanos(System.nanoTime() - startedAt));
    if (service.takenOver()) {
      LOG.warn("coordinator stopped after running {}: another coordinator took over its instance id (exit status {})",
          ran, TAKEN_OVER);
      return TAKEN_OVER;
    }
    LOG.info("coordinator stopped after running {}", ran);
    return 0;
  }


  /**
   * True when a start failed because the brokers refused a share group setting of ours (e.g. the lock past their
   * bound): a setting to change, as trying again fails again.
   */
  private static boolean refusedSetting(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShareGroupSettingRefused) {
        return true;
      }
    }
    return false;
  }

  /** A run time for people: {@code 45s}, {@code 12m 03s}, {@code 3h 07m 12s}, {@code 2d 4h 07m}. */
  static String ran(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm %02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format("%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60);
    }
    return String.format("%dd %dh %02dm", s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
  }
}
