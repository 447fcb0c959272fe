package dev.gowork.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.http.ProducerSettings;
import dev.gowork.cli.http.WaitForWork;
import dev.gowork.cli.http.WorkIds;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import dev.gowork.cli.status.StatusView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gowork submit}: adds work items through the coordinator's batch API and prints their ids. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Adds work to a queue and prints the work ids, one per line.",
        "Work data comes from arguments (each one JSON value), --file FILE, or - (stdin).",
        "A file or stdin holds one JSON object, an array of them, or JSON lines."},
    footer = {"", "Environment: GOWORK_COORDINATOR_URL (default http://127.0.0.1:8080), GOWORK_API_TOKEN or "
        + "GOWORK_API_TOKEN_FILE, GOWORK_COORDINATOR_CA_FILE (PEM certificates to trust for https://), GOWORK_QUEUE.",
        "Examples: gowork submit '{\"x\":1}' '{\"y\":2}'",
        "          gowork submit --file work.jsonl --queue images"})
public final class SubmitCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "DATA", description = "One work's JSON data per argument; '-' reads stdin.")
  List<String> data = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read work data from FILE ('-' for stdin).")
  String file;

  @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Queue (env GOWORK_QUEUE; default: the coordinator's, 'default').")
  String queue;

  @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS",
      description = "Deadline from creation, or from the run time with --delay (default 60).")
  Integer timeout;

  @Option(names = "--delay", paramLabel = "SECONDS",
      description = "Queue the work this long after it is added (0 to 604800, 7 days; default: at once).")
  Integer delay;

  @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts, 1 to 100 (default 1: a failed "
      + "attempt ends the work failed; above 1, failures are retried and the work is dead after the last).")
  Integer maxAttempts;

  @Option(names = "--id", paramLabel = "WORK_ID", description = "The work's id instead of a random one (one item "
      + "only): submitted again, it is not added twice.")
  String workId;

  @Option(names = "--url", paramLabel = "URL", description = {"Coordinator URL (env GOWORK_COORDINATOR_URL;",
      "default http://127.0.0.1:8080)."})
  String url;

  @Option(names = "--json", description = "Print {\"workIds\":[...]} instead of one id per line.")
  boolean json;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "Then wait up to SECONDS (1 to 86400) in all, not "
      + "per item, for the items to finish, and print each final status (as gowork status; JSON with --json) "
      + "instead of its id; "
      + "exit 0 only when every one completed.")
  Integer wait;

  private final CliContext context;

  public SubmitCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Settings s = context.settings();
    WorkOptions options = new WorkOptions(s.queue("--queue", queue, "GOWORK_QUEUE", null),
        s.integer("--timeout", timeout, null, 60, 1, 7 * 24 * 3600),
        maxAttempts == null ? null : s.integer("--max-attempts", maxAttempts, null, 1, 1, 100),
        delay == null ? null : s.integer("--delay", delay, null, 0, 0, 7 * 24 * 3600));
    ProducerSettings producer = ProducerSettings.resolve(s, url);
    WireCodec codec = WireCodec.defaults();
    List<JsonNode> items = read(new WorkInput(codec));
    Duration waitFor = wait == null ? null : Duration.ofSeconds(s.integer("--wait", wait, null, 0, 1, 86_400));
    if (workId != null) {
      return waitFor == null ? submitOne(producer, options, items, true)
          : submitOne(producer, options, items, false) + awaitEach(producer, List.of(workId), waitFor);
    }
    List<String> ids = new ArrayList<>();
    boolean submitted = false;
    try {
      new BatchSubmitter(producer.client(), options, codec).submit(items, batch -> {
        ids.addAll(batch);
        if (!json && waitFor == null) {
          batch.forEach(context.out()::println);
        }
      });
      submitted = true;
    } finally {
      // With --wait the ids give way to the statuses; when a batch was refused there is nothing to wait
      // for, and the ids already accepted are printed as without --wait.
      if (!json && waitFor != null && !submitted) {
        ids.forEach(context.out()::println);
      }
      if (json && (waitFor == null || !submitted)) {
        ObjectNode out = codec.mapper().createObjectNode();
        ArrayNode array = out.putArray("workIds");
        ids.forEach(array::add);
        context.out().println(out);
      }
      context.out().flush();
    }
    return waitFor == null ? 0 : awaitEach(producer, ids, waitFor);
  }

  /**
   * Waits for the items, up to {@code total} in all, and prints each one's status.
   *
   * @return 0 when every item completed, else {@link CliException#FAILED}
   */
  private int awaitEach(ProducerSettings producer, List<String> ids, Duration total) {
    // As gowork status: with several items, one whose wait fails (the coordinator restarting, the item
    // forgotten) is named on stderr and the others are still waited for.
    return StatusView.showEach(ids, context.out(), context.err(), json, true,
        WaitForWork.eachUntil(producer.client(), total));
  }

  /** One item under the caller's id, by {@code POST /v1/work}: idempotent, says when it was added already. */
  private int submitOne(ProducerSettings producer, WorkOptions options, List<JsonNode> items, boolean print) {
    if (items.size() != 1) {
      throw CliException.usage("--id names one work item; " + items.size() + " were given");
    }
    WorkIds.check(workId);
    if (!workId.matches("[A-Za-z0-9._:@-]+")) {
      // As the coordinator checks it, so that a bad --id is a usage error (exit 2) with nothing sent.
      throw CliException.usage("--id must be 1-" + WorkIds.MAX_LENGTH
          + " letters, digits, '.', '_', ':', '@' or '-'; was " + ErrorLines.quoted("--id", workId));
    }
    ObjectNode item = options.item(items.get(0));
    item.put("workId", workId);
    JsonNode answer = producer.client().post("/v1/work", item);
    if (!print) {
      return 0;
    }
    if (json) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.putArray("workIds").add(workId);
      out.put("alreadyAdded", answer != null && answer.path("alreadyAdded").asBoolean());
      context.out().println(out);
    } else {
      context.out().println(workId);
      if (answer != null && answer.path("alreadyAdded").asBoolean()) {
        context.err().println("gowork: work " + workId + " was added before; it was not added again");
      }
    }
    context.out().flush();
    return 0;
  }

  private List<JsonNode> read(WorkInput input) {
    boolean stdinArg = data.size() == 1 && data.get(0).equals("-");
    if (file != null && !data.isEmpty()) {
      throw CliException.usage("give work either as arguments or with --file, not both");
    }
    if (data.size() > 1 && data.contains("-")) {
      throw CliException.usage("'-' reads the work from stdin; it cannot be combined with other arguments");
    }
    if (file == null && data.isEmpty()) {
      throw CliException.usage("nothing to submit: give JSON arguments, --file FILE, or - to read stdin");
    }
    if (stdinArg || "-".equals(file)) {
      return input.fromStream("stdin", context.in());
    }
    if (file == null) {
      return input.fromArgs(data);
    }
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return input.fromStream(file, in);
    } catch (NoSuchFileException e) {
      throw CliException.usage("--file: no such file: " + file);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CliException c) {
        throw c;
      }
      throw CliException.usage("--file: cannot read " + file + ": " + e.getMessage());
    }
  }
}
