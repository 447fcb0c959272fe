package dev.gowork.cli.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork queue (pause | resume) QUEUE [--reason TEXT]}: stops and restarts a queue over HTTP. */
@Command(name = "queue", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Pauses or resumes a queue.",
        "  queue pause QUEUE [--reason TEXT]  no worker takes new work from it (running",
        "                                     work finishes); its work waits in Kafka,",
        "                                     deadlines still pass",
        "  queue resume QUEUE                 workers take its work again",
        "gowork status shows which queues are paused, how long each queue's oldest",
        "waiting work has waited (LATENCY), and how many members each queue's share",
        "group has against the brokers' limit; gowork cancel --queue cancels a",
        "queue's work."},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://)."})
public final class QueueCommand implements Callable<Integer> {
  private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  private static final int MAX_REASON_CHARS = 1_000;

  @Parameters(index = "0", paramLabel = "ACTION", description = "pause or resume.")
  String action;

  @Parameters(index = "1", paramLabel = "QUEUE", description = "The queue.")
  String queue;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why it is paused (up to 1,000 characters); "
      + "shown by gowork status.")
  String reason;

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print the coordinator's JSON.")
  boolean json;

  private final CliContext context;

  public QueueCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (!List.of("pause", "resume").contains(action)) {
      throw CliException.usage("queue: unknown action " + ErrorLines.quoted(null, action)
          + "; use pause QUEUE or resume QUEUE");
    }
    if (!QUEUE.matcher(queue).matches()) {
      throw CliException.usage("a queue name is 1-100 letters, digits, '_' or '-'; was "
          + ErrorLines.quoted(null, queue.length() > 40 ? queue.substring(0, 40) + "…" : queue));
    }
    if (reason != null && (action.equals("resume") || reason.length() > MAX_REASON_CHARS)) {
      throw CliException.usage(action.equals("resume") ? "--reason is for 'queue pause'"
          : "--reason must be at most " + MAX_REASON_CHARS + " characters, was " + reason.length());
    }
    ObjectNode body = reason == null ? null : JsonNodeFactory.instance.objectNode().put("reason", reason);
    CoordinatorClient client = ProducerSettings.resolve(context.settings(), url).client();
    JsonNode answer = client.post("/v1/queues/" + CoordinatorClient.segment(queue) + "/" + action, body);
    context.out().println(json ? String.valueOf(answer) : (action.equals("pause") ? "paused " : "resumed ") + queue);
    return 0;
  }
}
