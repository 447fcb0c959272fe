package dev.gowork.cli.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.http.WaitForWork;
import dev.gowork.cli.http.WorkIds;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork status [workId...]}: one work item's status, or the queues and workers. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Shows work items, or the queues and workers.",
        "With work ids: each item's state, attempts, worker, result or error.",
        "Without: the queues (queued, running) and the registered workers, as tables."},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://)."})
public final class StatusCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "WORK_ID", description = "Work ids to show.")
  List<String> workIds = new ArrayList<>();

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print the coordinator's JSON, one answer per line.")
  boolean json;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "With work ids: wait up to SECONDS (1 to 86400) "
      + "in all, not per item, for the items to finish before showing them; exit 0 only when every one completed.")
  Integer wait;

  private final CliContext context;

  public StatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    workIds.forEach(WorkIds::check);
    if (workIds.isEmpty() && wait != null) {
      throw CliException.usage("--wait needs work ids: it waits for those items to finish (gowork status --wait "
          + wait + " WORK_ID...)");
    }
    CoordinatorClient client = ProducerSettings.resolve(context.settings(), url).client();
    if (workIds.isEmpty()) {
      JsonNode queues = client.get("/v1/queues");
      JsonNode workers = client.get("/v1/workers");
      if (json) {
        ObjectNode both = JsonNodeFactory.instance.objectNode();
        both.set("queues", queues == null ? null : queues.get("queues"));
        both.set("workers", workers == null ? null : workers.get("workers"));
        context.out().println(both);
      } else {
        context.out().print(StatusView.queues(queues));
        context.out().println();
        context.out().print(StatusView.workers(workers));
      }
      return 0;
    }
    Duration waitFor = wait == null ? null
        : Duration.ofSeconds(context.settings().integer("--wait", wait, null, 0, 1, 86_400));
    return StatusView.showEach(workIds, context.out(), context.err(), json, waitFor != null, waitFor == null
        ? id -> client.get("/v1/work/" + CoordinatorClient.segment(id)) : WaitForWork.eachUntil(client, waitFor));
  }
}
