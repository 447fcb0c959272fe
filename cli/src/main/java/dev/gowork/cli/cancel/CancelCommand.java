package dev.gowork.cli.cancel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.http.WorkIds;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork cancel (ID... | --queue Q) [--reason TEXT]}: cancels unfinished work over HTTP. */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Cancels work that has not finished (scheduled, queued, running or waiting to retry).",
        "It becomes 'cancelled' and work_cancelled fires. A worker running it is told",
        "to stop and writes no result; a worker that receives it later does not run it.",
        "Finished work cannot be cancelled. With --queue instead of ids: all unfinished",
        "work of that queue (with several coordinators, the one asked sends the others",
        "theirs)."},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://)."})
public final class CancelCommand implements Callable<Integer> {
  /** The longest reason the coordinator accepts. */
  static final int MAX_REASON_CHARS = 1_000;

  @Parameters(arity = "0..*", paramLabel = "WORK_ID", description = "Work ids to cancel.")
  List<String> workIds = new ArrayList<>();

  @Option(names = "--queue", paramLabel = "QUEUE", description = "Cancel all unfinished work of QUEUE instead.")
  String queue;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "Why (up to 1,000 characters); kept in the status and the work_cancelled event.")
  String reason;

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print the coordinator's JSON (the cancelled item's status), one per line.")
  boolean json;

  private final CliContext context;

  public CancelCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (workIds.isEmpty() == (queue == null)) {
      throw CliException.usage("cancel needs work ids or --queue QUEUE (not both)");
    }
    workIds.forEach(WorkIds::check);
    if (queue != null) {
      queue = context.settings().queue("--queue", queue, null, null);
    }
    if (reason != null && reason.length() > MAX_REASON_CHARS) {
      throw CliException.usage("--reason must be at most " + MAX_REASON_CHARS + " characters, was " + reason.length());
    }
    ObjectNode body = null;
    if (reason != null) {
      body = JsonNodeFactory.instance.objectNode().put("reason", reason);
    }
    CoordinatorClient client = ProducerSettings.resolve(context.settings(), url).client();
    ObjectNode reasonBody = body;
    if (queue != null) {
      JsonNode answer = client.post("/v1/queues/" + CoordinatorClient.segment(queue) + "/cancel", reasonBody);
      if (json) {
        context.out().println(answer);
      } else {
        long forwarded = answer.path("forwarded").asLong();
        context.out().println("cancelled " + answer.path("cancelled").asLong() + " unfinished work items of queue "
            + queue + (forwarded > 0 ? "; " + forwarded + " more sent to the other coordinators that own them" : ""));
      }
      return 0;
    }
    return WorkIds.each(workIds, context.err(),
        id -> client.post("/v1/work/" + CoordinatorClient.segment(id) + "/cancel", reasonBody),
        (id, answer) -> context.out().println(json && answer != null ? answer.toString() : "cancelled " + id));
  }
}
