package dev.gowork.cli.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.cli.http.WorkIds;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.text.TerminalText;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Renders the coordinator's status answers for people. Pure functions of the JSON. */
public final class StatusView {
  private StatusView() {}

  /**
   * Shows each item's status as {@code fetch} answers it (the coordinator's JSON with {@code json}, else
   * field by field, a blank line between items), one id after another; a refused id is named on
   * {@code err} and the others still go ({@link WorkIds#each}).
   *
   * @param requireCompleted when every item must have completed for the exit code to be 0
   * @return the exit code: 0, or {@link CliException#FAILED} when any id was refused or, with
   *     {@code requireCompleted}, did not complete
   */
  public static int showEach(List<String> ids, PrintStream out, PrintStream err, boolean json,
      boolean requireCompleted, Function<String, JsonNode> fetch) {
    boolean[] allCompleted = {true};
    boolean[] shown = {false};
    java.util.Map<String, Integer> notCompleted = new java.util.TreeMap<>();
    int code = WorkIds.each(ids, err, fetch, (id, status) -> {
      String state = status.path("state").asText();
      allCompleted[0] &= "completed".equals(state);
      if (!"completed".equals(state)) {
        notCompleted.merge(state, 1, Integer::sum);
      }
      if (json) {
        out.println(status);
      } else {
        if (shown[0]) {
          out.println();
        }
        out.print(work(status));
      }
      out.flush();
      shown[0] = true;
    });
    if (requireCompleted && !notCompleted.isEmpty()) {
      // The exit code says it too; this line says why, for someone reading the terminal.
      int n = notCompleted.values().stream().mapToInt(Integer::intValue).sum();
      boolean waiting = notCompleted.keySet().stream().anyMatch(UNFINISHED::contains);
      err.println("gowork: " + n + " of " + ids.size() + (ids.size() == 1 ? " item" : " items") + " did not complete "
          + notCompleted.toString().replace("=", ": ")
          + (waiting ? "; the wait ended before the unfinished ones (is a worker serving their queue?)" : ""));
    }
    return code == 0 && requireCompleted && !allCompleted[0] ? CliException.FAILED : code;
  }

  /** The listing's field for a queue's latency, shown as LATENCY rather than as a count. */
  private static final String LATENCY = "latencyMs";

  /** States of work that is not finished yet. */
  private static final java.util.Set<String> UNFINISHED = java.util.Set.of("scheduled", "queued", "running",
      "retry_wait");

  /**
   * One work item's status ({@code GET /v1/work/{id}}) as aligned "name  value" lines, each value through
   * {@link TerminalText#shown}; scheduled work shows {@code attempts 0 of N}, since none has run yet, and
   * {@code workerName} is shown under {@code workerId} when the coordinator knows it (as the workers table
   * shows a worker's name beside its id).
   */
  public static String work(JsonNode w) {
    StringBuilder b = new StringBuilder();
    field(b, "workId", text(w, "workId"));
    field(b, "queue", text(w, "queue"));
    field(b, "state", text(w, "state"));
    String attempts = text(w, "attempts");
    String max = text(w, "maxAttempts");
    if ("scheduled".equals(text(w, "state")) && attempts != null) {
      // The coordinator gives scheduled work the number of the attempt it will run as (1): none has run yet.
      attempts = "0";
    }
    field(b, "attempts", attempts == null ? null : max == null ? attempts : attempts + " of " + max);
    field(b, "workerId", text(w, "workerId"));
    if (text(w, "workerName") != null) {
      field(b, "workerName", text(w, "workerName"));
    }
    JsonNode progress = w.get("progress");
    if (progress != null && progress.isObject()) {
      String message = text(progress, "message");
      field(b, "progress", text(progress, "percent") + "%" + (message == null ? "" : " " + message));
    }
    field(b, "createdAt", text(w, "createdAt"));
    field(b, "updatedAt", text(w, "updatedAt"));
    if (text(w, "runAt") != null) {
      field(b, "runAt", text(w, "runAt"));
    }
    field(b, "deadline", text(w, "deadline"));
    field(b, "result", text(w, "result"));
    field(b, "error", text(w, "error"));
    return b.toString();
  }

  /**
   * {@code GET /v1/queues} as a table: QUEUE QUEUED RUNNING (and any further counts), LATENCY (how long the oldest
   * waiting work has waited, {@link #waited}) when the coordinator gives it, PAUSED (with
   * the reason) when a queue is paused, and MEMBERS of its share group against the brokers' limit when the
   * coordinator counts them ({@code 3/200}, {@code 200/200 full}, {@code 3/unknown}, {@code -} before the first
   * count); each full group's warning follows the table, escaped as the cells are.
   */
  public static String queues(JsonNode answer) {
    JsonNode queues = answer == null ? null : answer.get("queues");
    if (queues == null || !queues.isObject() || queues.isEmpty()) {
      return "no queues yet\n";
    }
    Set<String> counts = new LinkedHashSet<>(List.of("queued", "running"));
    queues.forEach(q -> q.properties().forEach(f -> {
      if (f.getValue().isNumber() && !f.getKey().equals(LATENCY)) {
        counts.add(f.getKey());
      }
    }));
    boolean anyPaused = false;
    boolean groups = false;
    boolean latency = false;
    for (JsonNode q : queues) {
      anyPaused |= q.path("paused").asBoolean(false);
      groups |= q.path("shareGroup").isObject();
      latency |= q.path(LATENCY).isNumber();
    }
    List<String> header = new ArrayList<>(List.of("QUEUE"));
    counts.forEach(c -> header.add(c.toUpperCase(Locale.ROOT)));
    if (latency) {
      header.add("LATENCY");
    }
    if (anyPaused) {
      header.add("PAUSED");
    }
    if (groups) {
      header.add("MEMBERS");
    }
    Table t = new Table(header);
    StringBuilder warnings = new StringBuilder();
    for (Map.Entry<String, JsonNode> e : queues.properties()) {
      List<String> row = new ArrayList<>(List.of(e.getKey()));
      counts.forEach(c -> row.add(orZero(text(e.getValue(), c))));
      if (latency) {
        JsonNode ms = e.getValue().path(LATENCY);
        row.add(ms.isNumber() ? waited(ms.asLong()) : "-");
      }
      if (anyPaused) {
        JsonNode q = e.getValue();
        row.add(!q.path("paused").asBoolean(false) ? "-"
            : q.hasNonNull("pauseReason") ? "yes: " + q.get("pauseReason").asText() : "yes");
      }
      if (groups) {
        JsonNode g = e.getValue().path("shareGroup");
        row.add(members(g));
        if (g.path("full").asBoolean(false)) {
          warnings.append(TerminalText.shown("queue " + e.getKey() + ": share group " + text(g, "name") + " has "
              + text(g, "members") + " of " + text(g, "maxMembers") + " members; " + text(g, "warning"))).append('\n');
        }
      }
      t.row(row);
    }
    return t.render() + warnings;
  }

  /** {@code GET /v1/workers} as a table of every field the workers carry, the worker id first. */
  public static String workers(JsonNode answer) {
    JsonNode workers = answer == null ? null : answer.get("workers");
    if (workers == null || !workers.isArray() || workers.isEmpty()) {
      return "no workers registered\n";
    }
    return objects(workers, "workerId");
  }

  /** Any array of flat objects as a table with the columns in first-seen order, {@code first} leading. */
  public static String objects(JsonNode array, String first) {
    Set<String> columns = new LinkedHashSet<>(List.of(first));
    array.forEach(n -> n.fieldNames().forEachRemaining(columns::add));
    List<String> header = new ArrayList<>();
    columns.forEach(c -> header.add(c.toUpperCase(Locale.ROOT)));
    Table t = new Table(header);
    array.forEach(n -> {
      List<String> row = new ArrayList<>();
      columns.forEach(c -> row.add(text(n, c)));
      t.row(row);
    });
    return t.render();
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  /**
   * A queue's latency for people, rounded down: {@code 0 s}, {@code 2.1 s} under 10 s, {@code 42 s}, {@code 4 min},
   * {@code 5 h} under 2 days, then {@code 3 d}.
   */
  static String waited(long ms) {
    if (ms <= 0) {
      return "0 s";
    }
    if (ms < 10_000) {
      return ms / 1000 + "." + ms % 1000 / 100 + " s";
    }
    if (ms < 60_000) {
      return ms / 1000 + " s";
    }
    if (ms < 3_600_000) {
      return ms / 60_000 + " min";
    }
    return ms < 172_800_000 ? ms / 3_600_000 + " h" : ms / 86_400_000 + " d";
  }

  /** {@code 3/200}, {@code 2/2 full}, {@code 3/unknown}, or {@code -} when not counted. */
  private static String members(JsonNode group) {
    String members = text(group, "members");
    if (members == null) {
      return "-";
    }
    String max = text(group, "maxMembers");
    return members + "/" + (max == null ? "unknown" : max) + (group.path("full").asBoolean(false) ? " full" : "");
  }

  private static String orZero(String s) {
    return s == null ? "0" : s;
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(String.format("%-10s %s%n", name, value == null ? "-" : TerminalText.shown(value)));
  }
}
