package dev.gowork.cli.events;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.DecodeError;
import dev.gowork.broker.wire.Event;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gowork events}: follows {@code <p>.events} and prints one line per event. */
@Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Follows the events topic (<prefix>.events) and prints one line per event.",
        "A line holds the time, type, queue, work, worker, attempt, maxAttempts, durationMs and error.",
        "Starts at the end of the topic unless --from-beginning."},
    footer = {"", "Environment: GOWORK_BOOTSTRAP_SERVERS (default: the embedded broker of 'gowork coordinator', "
        + "127.0.0.1 on port GOWORK_EMBEDDED_KAFKA_PORT, else 9092), GOWORK_TOPIC_PREFIX (default gowork), GOWORK_KAFKA_<NAME> client properties "
        + "(GOWORK_KAFKA_SECURITY_PROTOCOL=SSL -> security.protocol=SSL) over those of the Java properties "
        + "file named by GOWORK_KAFKA_PROPERTIES_FILE.",
        "Example: gowork events --type work_complete,work_timeout --queue images"})
public final class EventsCommand implements Callable<Integer> {
  static final String EMBEDDED_PORT_ENV = "GOWORK_EMBEDDED_KAFKA_PORT";
  /** The coordinator's default for {@link #EMBEDDED_PORT_ENV}. */
  static final int DEFAULT_EMBEDDED_PORT = 9092;

  @Option(names = "--from-beginning", description = "Start at the oldest event kept, not at the end.")
  boolean fromBeginning;

  @Option(names = {"-t", "--type"}, paramLabel = "TYPES", description = "Only these event types (comma separated).")
  List<String> types = new ArrayList<>();

  @Option(names = {"-q", "--queue"}, paramLabel = "QUEUES", description = "Only events of these queues (comma separated).")
  List<String> queues = new ArrayList<>();

  @Option(names = "--json", description = "Print each event's raw JSON instead of a line of text.")
  boolean json;

  @Option(names = "--max", paramLabel = "N", description = "Exit after N matching events.")
  Integer max;

  @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Kafka (env GOWORK_BOOTSTRAP_SERVERS; default: 127.0.0.1 on port GOWORK_EMBEDDED_KAFKA_PORT, "
      + "else 9092, the embedded broker of a coordinator started with the same environment).")
  String bootstrapServers;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Topic prefix (env GOWORK_TOPIC_PREFIX; default gowork).")
  String topicPrefix;

  private final CliContext context;

  public EventsCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Settings s = context.settings();
    EventFilter filter = EventFilter.parse(types, queues);
    int limit = max == null ? Integer.MAX_VALUE : s.integer("--max", max, null, 0, 1, Integer.MAX_VALUE);
    String bootstrap = s.string("--bootstrap-servers", bootstrapServers, "GOWORK_BOOTSTRAP_SERVERS", null);
    if (bootstrap == null) {
      bootstrap = embeddedBroker(s);
    }
    Topics topics = s.topics("--topic-prefix", topicPrefix, "GOWORK_TOPIC_PREFIX");
    Map<String, String> kafka;
    try {
      kafka = KafkaClients.fromFileAndEnv(context.env());
    } catch (UncheckedIOException | InvalidPathException e) {
      throw CliException.usage(KafkaClients.PROPERTIES_FILE_ENV + " must name a readable Java properties file; was "
          + ErrorLines.quoted(KafkaClients.PROPERTIES_FILE_ENV, context.env().get(KafkaClients.PROPERTIES_FILE_ENV)));
    }
    FollowEvents follow = FollowEvents.open(bootstrap, kafka, topics.events(), fromBeginning);
    try {
      follow.run(new Print(filter, limit));
    } catch (KafkaException e) {
      throw CliException.failed("reading " + topics.events() + " from " + bootstrap + " failed: " + e.getMessage(), e);
    }
    return 0;
  }

  /**
   * Where {@code gowork coordinator} run with this environment starts its embedded broker: 127.0.0.1 on
   * {@code GOWORK_EMBEDDED_KAFKA_PORT} (9092 unless set), so one set of variables serves both commands.
   */
  private static String embeddedBroker(Settings s) {
    int port = s.integer(null, null, EMBEDDED_PORT_ENV, DEFAULT_EMBEDDED_PORT, 0, 65535);
    if (port == 0) {
      throw CliException.usage(EMBEDDED_PORT_ENV + " is 0 (any free port), so the embedded broker's port is not known "
          + "here: set GOWORK_BOOTSTRAP_SERVERS (or --bootstrap-servers) to the address the coordinator logged");
    }
    return "127.0.0.1:" + port;
  }

  private final class Print implements FollowEvents.Sink {
    private final EventFilter filter;
    private final int limit;
    private int shown;

    Print(EventFilter filter, int limit) {
      this.filter = filter;
      this.limit = limit;
    }

    @Override
    public boolean accept(Event event, byte[] raw) {
      if (!filter.test(event)) {
        return true;
      }
      context.out().println(json ? new String(raw, StandardCharsets.UTF_8).strip() : EventLine.format(event));
      context.out().flush();
      return ++shown < limit;
    }

    /**
     * A newer coordinator's event type: shown whole with {@code --json}, as a short line otherwise;
     * a {@code --type} filter names known types, so it leaves such events out.
     */
    @Override
    public boolean acceptNewer(com.fasterxml.jackson.databind.JsonNode event, byte[] raw) {
      String queue = event.path("queue").asText(null);
      if (!filter.types().isEmpty() || (!filter.queues().isEmpty() && !filter.queues().contains(queue))) {
        return true;
      }
      context.out().println(json ? new String(raw, StandardCharsets.UTF_8).strip()
          : String.format("%s %-20s %s", safe(event.path("time").asText()), safe(event.path("type").asText()),
              "(an event type this gowork does not know; --json prints it whole)"));
      context.out().flush();
      return ++shown < limit;
    }

    /** Text from the topic as it may be shown on a terminal: short, and only plain characters. */
    private static String safe(String text) {
      return text.matches("[A-Za-z0-9_.:+-]{1,40}") ? text : "?";
    }

    @Override
    public void rejected(String where, DecodeError error) {
      context.err().println("warning: skipped the record at " + where + ": " + error.message());
    }

    @Override
    public void waiting(String why) {
      context.err().println("gowork events: " + why);
    }
  }
}
