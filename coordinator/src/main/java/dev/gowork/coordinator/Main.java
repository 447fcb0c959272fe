package dev.gowork.coordinator;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.process.StopSignals;
import dev.gowork.coordinator.config.CoordinatorSettings;
import java.io.PrintWriter;
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
 * message names it); 1 when the service cannot start (e.g. Kafka unreachable, port taken).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** Every env var the coordinator reads by exact name, plus any {@code GOWORK_KAFKA_<NAME>}. */
  public static final List<String> ENV_VARS = CoordinatorSettings.ENV_VARS;

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
    CommandLine cl = new CommandLine(CoordinatorSettings.commandSpec());
    PrintWriter err = cl.getErr();
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("coordinator: " + e.getMessage() + " (see --help)");
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
    CoordinatorService service;
    try {
      service = CoordinatorService.start(settings);
    } catch (RuntimeException e) {
      if (e instanceof GoWorkException) {
        LOG.error("coordinator failed to start: {}", e.getMessage()); // the message says what to fix
      } else {
        LOG.error("coordinator failed to start: {}", e.getMessage(), e);
      }
      err.println("coordinator: failed to start: " + e.getMessage());
      err.flush();
      return 1;
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
    return 0;
  }
}
