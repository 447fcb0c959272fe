package dev.gowork.cli.dead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.http.WorkIds;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.status.StatusView;
import dev.gowork.cli.status.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork dead [list | show ID | requeue ID | delete ID]}: the dead-letter list over HTTP. */
@Command(name = "dead", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The dead-letter list: work that used up its attempts.",
        "  dead [list]       the dead work items, as a table",
        "  dead show ID      one dead item's status, error and attempts",
        "  dead requeue ID   queue it again for one more attempt",
        "  dead delete ID    forget it for good (its work_dead event stays on the events",
        "                    topic)"},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://)."})
public final class DeadCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "list (default), show, requeue or delete.")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "The work id, for show, requeue and delete.")
  String workId;

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print the coordinator's JSON.")
  boolean json;

  private final CliContext context;

  public DeadCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    String what = action == null ? "list" : action;
    if (!List.of("list", "show", "requeue", "delete").contains(what)) {
      throw CliException.usage("dead: unknown action '" + what + "'; use list, show ID, requeue ID or delete ID");
    }
    if (what.equals("list") == (workId != null)) {
      throw CliException.usage(what.equals("list") ? "dead list takes no work id" : "dead " + what + " needs a work id");
    }
    if (workId != null) {
      WorkIds.check(workId);
    }
    CoordinatorClient client = ProducerSettings.resolve(context.settings(), url).client();
    switch (what) {
      case "list" -> list(client.get("/v1/dead?limit=10000"));
      case "show" -> show(client.get("/v1/work/" + CoordinatorClient.segment(workId)));
      case "delete" -> deleted(client.delete("/v1/dead/" + CoordinatorClient.segment(workId)));
      default -> requeue(client.post("/v1/dead/" + CoordinatorClient.segment(workId) + "/requeue", null));
    }
    return 0;
  }

  private void list(JsonNode answer) {
    if (json) {
      context.out().println(answer);
      return;
    }
    JsonNode items = answer == null ? null : answer.get("items");
    if (items == null || !items.isArray() || items.isEmpty()) {
      context.out().println("no dead work");
      return;
    }
    Table t = new Table(List.of("WORKID", "QUEUE", "ATTEMPTS", "UPDATEDAT", "ERROR"));
    items.forEach(i -> t.row(List.of(cell(i, "workId"), cell(i, "queue"), cell(i, "attempts"),
        cell(i, "updatedAt"), cell(i, "error"))));
    context.out().print(t.render());
    long total = answer.path("total").asLong(items.size());
    if (total > items.size()) {
      context.out().println("(the newest " + items.size() + " of " + total + " dead items)");
    }
  }

  private void show(JsonNode status) {
    String state = status == null ? null : status.path("state").asText(null);
    if (state != null && !state.equals("dead")) {
      throw CliException.failed("work " + workId + " is " + state + ", not dead (gowork status " + workId
          + " shows any work)");
    }
    context.out().print(json ? status + "\n" : StatusView.work(status));
  }

  private void requeue(JsonNode answer) {
    ObjectNode n = answer != null && answer.isObject() ? (ObjectNode) answer : JsonNodeFactory.instance.objectNode();
    if (!n.hasNonNull("workId")) {
      n.put("workId", workId);
    }
    String now = n.get("workId").asText();
    context.out().println(json ? n.toString() : "requeued " + workId + (now.equals(workId) ? "" : " as " + now));
  }

  private void deleted(JsonNode answer) {
    context.out().println(json && answer != null ? answer.toString() : "deleted " + workId);
  }

  private static String cell(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "-" : v.isValueNode() ? v.asText() : v.toString();
  }
}
