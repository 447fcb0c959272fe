package dev.gowork.cli.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.http.CoordinatorClient;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.status.Table;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork schedule [list | show NAME | set NAME ... | run NAME | delete NAME]}: repeating work over HTTP. */
@Command(name = "schedule", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Repeating work (cron or every N seconds): lists, shows, sets, runs now and deletes schedules.",
        "Each run time adds the schedule's work, with the id NAME@<run time>.",
        "  schedule [list]       every schedule, with its last and next run",
        "  schedule show NAME    one schedule, all its fields",
        "  schedule set NAME (--cron EXPR [--zone ZONE] | --every SECONDS)",
        "      [--data JSON] [--timeout SECONDS] [--queue Q] [--max-attempts N]",
        "                        define it, or replace its definition (runs from its",
        "                        next run time on)",
        "  schedule run NAME     add its work now, outside its times (its runs go on)",
        "  schedule delete NAME  no more runs (work it added is not touched)",
        "",
        "EXPR: 5 fields, minute hour day-of-month month day-of-week (e.g. '0 2 * * *',",
        "'*/15 9-17 * * 1-5'), or @hourly, @daily, @weekly, @monthly, @yearly; in ZONE",
        "(default UTC). A run missed while no coordinator was up happens once when one",
        "is back."},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://)."})
public final class ScheduleCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION",
      description = "list (default), show, set, run or delete.")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The schedule's name, for show, set, run "
      + "and delete: 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.")
  String name;

  @Option(names = "--cron", paramLabel = "EXPR", description = "When it runs: a cron expression (set).")
  String cron;

  @Option(names = "--zone", paramLabel = "ZONE", description = "The cron expression's time zone, e.g. Europe/Paris "
      + "(default UTC).")
  String zone;

  @Option(names = "--every", paramLabel = "SECONDS", description = "When it runs: every SECONDS (1 to 2678400), at "
      + "multiples of it since 1970-01-01T00:00Z.")
  Long every;

  @Option(names = "--data", paramLabel = "JSON", description = "Each run's work data (default null).")
  String data;

  @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Each run's timeout (default 60).")
  Long timeout;

  @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Each run's queue (default: 'default').")
  String queue;

  @Option(names = "--max-attempts", paramLabel = "N", description = "Each run's attempts (default 1).")
  Integer maxAttempts;

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print the coordinator's JSON.")
  boolean json;

  private final CliContext context;

  public ScheduleCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    String what = action == null ? "list" : action;
    if (!List.of("list", "show", "set", "run", "delete").contains(what)) {
      throw CliException.usage("schedule: unknown action '" + what + "'; use list, show NAME, set NAME, run NAME or "
          + "delete NAME");
    }
    if (what.equals("list") == (name != null)) {
      throw CliException.usage(what.equals("list") ? "schedule list takes no name" : "schedule " + what
          + " needs a schedule name");
    }
    if (name != null && !NAME.matcher(name).matches()) {
      throw CliException.usage("a schedule name is 1-100 letters, digits, '.', '_' or '-', starting with a letter or"
          + " digit; was " + ErrorLines.quoted(null, name.length() > 40 ? name.substring(0, 40) + "…" : name));
    }
    boolean definition = cron != null || zone != null || every != null || data != null || timeout != null
        || queue != null || maxAttempts != null;
    if (definition && !what.equals("set")) {
      throw CliException.usage("--cron, --zone, --every, --data, --timeout, --queue and --max-attempts are for "
          + "'schedule set'");
    }
    ObjectNode body = what.equals("set") ? body() : null;
    CoordinatorClient client = ProducerSettings.resolve(context.settings(), url).client();
    String path = name == null ? "/v1/schedules" : "/v1/schedules/" + CoordinatorClient.segment(name);
    switch (what) {
      case "list" -> list(client.get(path));
      case "show" -> print(client.get(path));
      case "set" -> print(client.put(path, body));
      case "run" -> {
        JsonNode answer = client.post(path + "/run", null);
        context.out().println(json ? String.valueOf(answer) : answer.path("workId").asText());
      }
      default -> {
        JsonNode answer = client.delete(path);
        context.out().println(json && answer != null ? answer.toString() : "deleted schedule " + name);
      }
    }
    return 0;
  }

  private ObjectNode body() {
    if ((cron == null) == (every == null)) {
      throw CliException.usage("schedule set needs exactly one of --cron EXPR and --every SECONDS");
    }
    if (zone != null && cron == null) {
      throw CliException.usage("--zone is for --cron schedules only");
    }
    // Checked here as 'gowork submit' checks its flags, so a mistake names the flag the user typed
    // (the coordinator's 400 names its JSON field) and exits 2 before anything is sent.
    range("--every", every, 1, 2_678_400, " (31 days)");
    range("--timeout", timeout, 1, 604_800, " (7 days)");
    range("--max-attempts", maxAttempts == null ? null : maxAttempts.longValue(), 1, 100, "");
    context.settings().queue("--queue", queue, null, null);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (cron != null) {
      n.put("cron", cron);
    } else {
      n.put("everySeconds", every);
    }
    if (zone != null) {
      n.put("zone", zone);
    }
    n.set("data", data == null ? NullNode.instance : json(data));
    n.put("timeoutSeconds", timeout == null ? 60 : timeout);
    if (queue != null) {
      n.put("queue", queue);
    }
    if (maxAttempts != null) {
      n.put("maxAttempts", maxAttempts);
    }
    return n;
  }

  private static void range(String flag, Long value, long min, long max, String note) {
    if (value != null && (value < min || value > max)) {
      throw CliException.usage(flag + " must be between " + min + " and " + max + note + "; was " + value);
    }
  }

  private static JsonNode json(String text) {
    Decoded<JsonNode> d = WireCodec.defaults().parse(text.getBytes(StandardCharsets.UTF_8));
    if (!d.isOk()) {
      throw CliException.usage("--data is not JSON: " + d.error().message());
    }
    return d.value();
  }

  private void list(JsonNode answer) {
    if (json) {
      context.out().println(answer);
      return;
    }
    JsonNode all = answer == null ? null : answer.get("schedules");
    if (all == null || !all.isArray() || all.isEmpty()) {
      context.out().println("no schedules");
      return;
    }
    Table t = new Table(List.of("NAME", "WHEN", "QUEUE", "LASTRUN", "NEXTRUN"));
    all.forEach(s -> t.row(List.of(cell(s, "name"), when(s), cell(s, "queue"), cell(s, "lastRunAt"),
        cell(s, "nextRunAt"))));
    context.out().print(t.render());
  }

  private void print(JsonNode s) {
    if (json || s == null || !s.isObject()) {
      context.out().println(s);
      return;
    }
    StringBuilder b = new StringBuilder();
    line(b, "name", cell(s, "name"));
    line(b, "when", when(s));
    line(b, "queue", cell(s, "queue"));
    line(b, "data", cell(s, "data"));
    line(b, "timeout", cell(s, "timeoutSeconds") + " s");
    line(b, "attempts", cell(s, "maxAttempts"));
    line(b, "defined", cell(s, "definedAt"));
    line(b, "lastRun", cell(s, "lastRunAt") + (s.hasNonNull("lastWorkId") ? " (" + s.get("lastWorkId").asText() + ")"
        : ""));
    line(b, "nextRun", cell(s, "nextRunAt"));
    context.out().print(b);
  }

  private static String when(JsonNode s) {
    return s.hasNonNull("cron") ? "cron '" + s.get("cron").asText() + "' " + cell(s, "zone")
        : "every " + cell(s, "everySeconds") + " s";
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append(String.format("%-10s %s%n", label, value));
  }

  private static String cell(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "-" : v.isValueNode() ? v.asText() : v.toString();
  }
}
