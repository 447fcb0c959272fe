package dev.gowork.cli.kafka;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.process.StopSignals;
import dev.gowork.cli.acls.AclsCommand;
import dev.gowork.cli.demo.ShutdownHooks;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gowork kafka}: the embedded broker that {@code gowork coordinator} starts when
 * {@code GOWORK_BOOTSTRAP_SERVERS} is unset, as a process of its own, in the foreground, so that it
 * outlives the coordinators that use it (several coordinators for failover on one machine). Stops on
 * SIGTERM or Ctrl-C; its data stays for the next start.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false, subcommands = AclsCommand.class,
    description = {"Runs a Kafka broker of its own, for coordinators that come and go (failover).",
        "It is the single-node broker that 'gowork coordinator' embeds when",
        "GOWORK_BOOTSTRAP_SERVERS is unset, in the foreground. Once it answers clients",
        "it prints GOWORK_BOOTSTRAP_SERVERS=<address>: give that to coordinators,",
        "workers and 'gowork events'. SIGTERM or Ctrl-C stops it; its data stays."},
    footer = {"", "It listens on 127.0.0.1 only: for one machine. Elsewhere, use a Kafka 4.x cluster.",
        "'gowork kafka acls' prints the ACLs of a deployment on a Kafka cluster with an authorizer.",
        "Example: gowork kafka --data-dir /var/lib/gowork/kafka"})
public final class KafkaCommand implements Callable<Integer> {
  static final String DATA_DIR_ENV = "GOWORK_DATA_DIR";
  static final String PORT_ENV = "GOWORK_EMBEDDED_KAFKA_PORT";

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Where the broker keeps its data (env GOWORK_DATA_DIR; default ./.gowork).")
  String dataDir;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Its port on 127.0.0.1, 0 for any free one (env GOWORK_EMBEDDED_KAFKA_PORT; default 9092).")
  Integer port;

  private final CliContext context;

  public KafkaCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Settings s = context.settings();
    int kafkaPort = s.integer("--port", port, PORT_ENV, 9092, 0, 65_535);
    Path dir = folder(s.string("--data-dir", dataDir, DATA_DIR_ENV, "./.gowork"));
    requireFreePort(kafkaPort);
    EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.builder().dataDir(dir).port(kafkaPort).start();
    } catch (RuntimeException e) {
      throw CliException.failed("could not start Kafka on port " + kafkaPort + " with data in " + dir + ": "
          + e.getMessage(), e);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(kafka::close, "gowork-kafka-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    StopSignals.onStop("Kafka", stop::countDown);
    context.out().println("GOWORK_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
    context.out().flush();
    context.err().println("gowork kafka: ready, data in " + kafka.dataDir() + "; point coordinators, workers and "
        + "'gowork events' at it with the line above. SIGTERM or Ctrl-C stops it.");
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kafka.close();
    ShutdownHooks.forget(hook);
    context.err().println("gowork kafka: stopped");
    return 0;
  }

  private static Path folder(String dir) {
    try {
      if (dir.isBlank()) {
        throw CliException.usage(DATA_DIR_ENV + " (--data-dir) must name a folder");
      }
      return Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw CliException.usage(DATA_DIR_ENV + " (--data-dir) is not a valid path: "
          + ErrorLines.quoted("--data-dir", dir));
    }
  }

  /** A taken port fails here in one line, instead of a broker that fails its start with pages of traces. */
  private static void requireFreePort(int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw CliException.failed("port " + port + " on 127.0.0.1 is taken, by another Kafka or a coordinator's "
          + "embedded one (set GOWORK_EMBEDDED_KAFKA_PORT or --port): " + e.getMessage());
    }
  }
}
