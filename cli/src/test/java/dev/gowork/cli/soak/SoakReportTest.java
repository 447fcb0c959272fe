package dev.gowork.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.cli.demo.DemoPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's summary names a bad ledger, the offending ids with their events, and exits 1. */
class SoakReportTest {
  private static final SoakPlan PLAN = new SoakPlan(new DemoPlan(3, 3, 2, 60, Path.of("/tmp/soak"), 1, 2, "s", "t",
      Map.of(), "java", "cp", "C", "W"), "echo", 0, 3, 10_000, 0, 1, 1, Victims.Target.WORKERS, Duration.ZERO, Duration.ZERO, Duration.ZERO,
      Duration.ZERO);

  @Test
  void aDoubledAndAMissingIdAreShownWithTheirEvents() {
    Ledger ledger = new Ledger(true, () -> 1);
    ledger.accepted(List.of("a", "b", "c"), 3);
    ledger.record(event("e1", "a", EventType.WORK_COMPLETE, 1), "0@1");
    ledger.record(event("e2", "b", EventType.WORK_COMPLETE, 1), "1@1");
    ledger.record(event("e3", "b", EventType.WORK_COMPLETE, 2), "1@2");
    ledger.record(event("e4", "c", EventType.ADD_WORK, 1), "2@1");
    Ledger.Report r = ledger.report();
    assertEquals(List.of("b", "c"), SoakReport.offending(r, 5));
    Map<String, List<Ledger.Entry>> shown = new LinkedHashMap<>();
    SoakReport.offending(r, 5).forEach(id -> shown.put(id, ledger.history(id)));
    List<KillReplicas.Kill> kills = List.of(new KillReplicas.Kill(1, "worker-1", 42, "worker-4", 0, 1, 3),
        new KillReplicas.Kill(2, "worker-4", 43, "worker-5", 0, 3, 3));

    String text = SoakReport.summary(PLAN, r, kills, 2_000_000_000L, true, Path.of("/tmp/soak/ledger-problems.txt"), shown);

    assertTrue(text.contains("3 items through 3 replicas, 2 kills (1 while items were in flight), 2.0 s"), text);
    assertTrue(text.contains("ledger: 3 accepted, missing 1, doubled 1, never accepted 0: NOT CLEAN"), text);
    assertTrue(text.contains("  doubled b:\n      work_complete attempt 1 by w-1 (event e2, 1@1)\n"
        + "      work_complete attempt 2 by w-1 (event e3, 1@2)\n"), text);
    assertTrue(text.contains("  missing c:\n      add_work attempt 1 by w-1 (event e4, 2@1)\n"), text);
    assertTrue(text.contains("every offending id and its events: /tmp/soak/ledger-problems.txt"), text);
    assertEquals(1, SoakCommand.exitCode(new RunSoak.Outcome(r, kills, 1, true, null, null)));
  }

  /** The refusals are counted by reason, their numbers aside, most frequent first. */
  @Test
  void refusedResultsAreCountedByReason() {
    Ledger ledger = new Ledger(false, () -> 1);
    ledger.accepted(List.of("a", "b"), 3);
    ledger.record(rejected("r1", "a", "unknown or expired session"), null);
    ledger.record(rejected("r2", "a", "replayed result for attempt 1"), null);
    ledger.record(rejected("r3", "b", "replayed result for attempt 2"), null);
    ledger.record(rejected("r4", "b", null), null);

    String text = SoakReport.summary(PLAN, ledger.report(), List.of(), 1_000_000_000L, true, null, Map.of());

    assertTrue(text.contains("result_rejected events: 4;"), text);
    assertTrue(text.contains("    result_rejected 2: replayed result for attempt N\n"
        + "    result_rejected 1: (no reason given)\n    result_rejected 1: unknown or expired session\n"), text);
  }

  @Test
  void coordinatorKillsSayHowTheCoordinatorCameBackAndTheSummaryCountsTakeoversAndFences() {
    KillReplicas.Kill atOnce = new KillReplicas.Kill(1, "coordinator-a", 42, "coordinator-a", 0, 10, 100, 0);
    KillReplicas.Kill late = new KillReplicas.Kill(2, "coordinator-b", 43, "coordinator-b", 0, 20, 100, 25_000);
    KillReplicas.Kill worker = new KillReplicas.Kill(3, "worker-1", 45, "worker-4", 0, 95, 100);

    assertEquals("soak: kill 1: coordinator-a (pid 42) with SIGKILL at 10 of 100 done; restarting it with its id at "
        + "once", SoakReport.kill(atOnce, 100));
    assertEquals("soak: kill 2: coordinator-b (pid 43) with SIGKILL at 20 of 100 done; restarting it with its id in "
        + "25 s", SoakReport.kill(late, 100));
    assertEquals("soak: kill 3: worker-1 (pid 45) with SIGKILL at 95 of 100 done; started worker-4",
        SoakReport.kill(worker, 100));
    assertEquals("  coordinators: 2 kills (1 restarted at once, 1 late); partitions gained 7 times (2 with unfinished "
        + "work taken over), transactions fenced 1; batches sent again 2" + System.lineSeparator(),
        SoakReport.coordinators(List.of(atOnce, late, worker), new SoakCoordinators.Takeovers(7, 2, 1), 2));
  }

  private static Event rejected(String id, String workId, String error) {
    return new Event(id, EventType.RESULT_REJECTED, Instant.EPOCH, "default", workId, "w-1", 1, null, error);
  }

  private static Event event(String id, String workId, EventType type, int attempt) {
    return new Event(id, type, Instant.EPOCH, "default", workId, "w-1", attempt, null, null);
  }
}
