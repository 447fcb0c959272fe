package dev.gowork.cli.soak;

import dev.gowork.broker.wire.EventType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's text: progress lines, kill lines, the closing summary, the evidence of a bad ledger. Pure functions. */
final class SoakReport {
  /** Offending ids shown in the summary; the evidence file has them all. */
  static final int SHOWN = 5;
  private static final int BAR_WIDTH = 30;
  private static final List<EventType> TERMINAL = List.of(EventType.WORK_COMPLETE, EventType.WORK_TIMEOUT,
      EventType.WORK_DEAD, EventType.WORK_FAILED);

  private SoakReport() {}

  /** {@code [#####.....]  45%  22,500/50,000  412/s  kills 3}, for redrawing with \r. */
  static String bar(int done, int total, double perSecond, int kills) {
    int filled = (int) ((long) Math.min(done, total) * BAR_WIDTH / Math.max(total, 1));
    return String.format(Locale.ROOT, "[%s%s] %3d%%  %,d/%,d  %,.0f/s  kills %,d", "#".repeat(filled),
        ".".repeat(BAR_WIDTH - filled), percent(done, total), done, total, perSecond, kills);
  }

  /** {@code soak: 22,500 of 50,000 done (45%), 412/s, kills 3}, one per interval. */
  static String plain(int done, int total, double perSecond, int kills) {
    return String.format(Locale.ROOT, "soak: %,d of %,d done (%d%%), %,.0f/s, kills %,d", done, total,
        percent(done, total), perSecond, kills);
  }

  /** {@code soak: kill 3: worker-2 (pid 4242) with SIGKILL at 1,234 of 2,500 done; started worker-6}. */
  static String kill(KillReplicas.Kill k, int total) {
    String then = !k.coordinator() ? "started " + k.replacement()
        : k.restartAfterMillis() == 0 ? "restarting it with its id at once"
        : String.format(Locale.ROOT, "restarting it with its id in %,d s", k.restartAfterMillis() / 1000);
    return String.format(Locale.ROOT, "soak: kill %d: %s (pid %d) with SIGKILL at %,d of %,d done; %s",
        k.number(), k.victim(), k.pid(), k.doneBefore(), total, then);
  }

  /**
   * {@code   coordinators: 3 kills (2 restarted at once, 1 late); partitions gained 7 times (2 with unfinished
   * work taken over), transactions fenced 1; batches sent again 1}. A late restart that the soak's end cut short counts as late.
   */
  static String coordinators(List<KillReplicas.Kill> kills, SoakCoordinators.Takeovers t, int resent) {
    List<KillReplicas.Kill> ofCoordinators = kills.stream().filter(KillReplicas.Kill::coordinator).toList();
    long atOnce = ofCoordinators.stream().filter(k -> k.restartAfterMillis() == 0).count();
    long late = ofCoordinators.size() - atOnce;
    return String.format(Locale.ROOT, "  coordinators: %,d kills (%,d restarted at once, %,d late); partitions gained "
        + "%,d times (%,d with unfinished work taken over), transactions fenced %,d; batches sent again %,d%n",
        ofCoordinators.size(), atOnce, late, t.gains(), t.gainsWithUnfinishedWork(), t.fences(), resent);
  }

  /**
   * The closing summary.
   *
   * @param runNanos from the first submit to the last item's first terminal event
   * @param readToEnd whether the ledger check reached the end of the events topic
   * @param evidence the file with every offending id's events, or null when the ledger is clean
   */
  static String summary(SoakPlan plan, Ledger.Report r, List<KillReplicas.Kill> kills, long runNanos,
      boolean readToEnd, Path evidence, Map<String, List<Ledger.Entry>> shown) {
    double seconds = Math.max(runNanos, 1) / 1e9;
    long inFlight = kills.stream().filter(KillReplicas.Kill::inFlight).count();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "soak: %,d items through %d replicas, %,d kills (%,d while items were in "
        + "flight), %.1f s (%,.0f items/s)%n", r.accepted(), plan.replicas(), kills.size(), inFlight, seconds,
        r.accepted() / seconds));
    List<String> types = new ArrayList<>();
    TERMINAL.forEach(t -> types.add(t.id() + " " + String.format(Locale.ROOT, "%,d", r.terminal(t))));
    b.append("  terminal events: ").append(String.join(", ", types)).append(System.lineSeparator());
    b.append(String.format(Locale.ROOT, "  finished on a later attempt: %,d; result_rejected events: %,d; "
        + "work_retry events: %,d; undecodable records: %,d%n", r.laterAttempt(),
        r.eventCounts().getOrDefault(EventType.RESULT_REJECTED, 0),
        r.eventCounts().getOrDefault(EventType.WORK_RETRY, 0), r.undecodable()));
    r.rejections().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> b.append(String.format(Locale.ROOT, "    result_rejected %,d: %s%n", e.getValue(), e.getKey())));
    b.append(String.format(Locale.ROOT, "  ledger: %,d accepted, missing %,d, doubled %,d, never accepted %,d: %s%n",
        r.accepted(), r.missing().size(), r.doubled().size(), r.strays().size(), r.clean() ? "CLEAN" : "NOT CLEAN"));
    if (!readToEnd) {
      b.append("  (the ledger check did not reach the end of the events topic in time)").append(System.lineSeparator());
    }
    shown.forEach((id, events) -> {
      b.append("  ").append(problem(r, id)).append(' ').append(id).append(':').append(System.lineSeparator());
      events.forEach(e -> b.append("      ").append(e).append(System.lineSeparator()));
    });
    if (evidence != null) {
      b.append("  every offending id and its events: ").append(evidence).append(System.lineSeparator());
    }
    b.append("  logs: ").append(plan.cluster().dataDir().resolve("logs")).append(System.lineSeparator());
    return b.toString();
  }

  /** The offending ids, first the doubled, then the missing, then the strays; at most {@code max}. */
  static List<String> offending(Ledger.Report r, int max) {
    List<String> ids = new ArrayList<>(r.doubled().keySet());
    ids.addAll(r.missing());
    ids.addAll(r.strays().keySet());
    return ids.size() > max ? ids.subList(0, max) : ids;
  }

  /** "doubled", "missing" or "never accepted". */
  static String problem(Ledger.Report r, String id) {
    return r.doubled().containsKey(id) ? "doubled" : r.strays().containsKey(id) ? "never accepted" : "missing";
  }

  private static int percent(int done, int total) {
    return total == 0 ? 100 : (int) ((long) done * 100 / total);
  }
}
