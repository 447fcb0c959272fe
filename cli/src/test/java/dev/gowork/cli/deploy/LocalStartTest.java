package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How deploy/local/gowork-local waits for the workers it starts (up, scale up), against a fake process
 * table and a fake clock: the script is sourced, and its is_alive, readiness and sleep are replaced, so a
 * worker can take its time to verify, exit after a while, or never get ready, without real processes.
 */
class LocalStartTest {
  /**
   * A worker is ready from tick N ("ready:N"), exits at tick N ("exit:N") or runs and is never ready
   * ("never"); every sleep is one tick of one second.
   */
  private static final String HARNESS = """
      set -euo pipefail
      source "$1"
      shift
      declare -A BEHAVIOUR=()
      TICKS=0
      sleep() { TICKS=$((TICKS + 1)); SECONDS=$((SECONDS + 1)); }
      curl() { :; }
      is_alive() {
        case "${BEHAVIOUR[$1]}" in
          exit:*) [ "$TICKS" -lt "${BEHAVIOUR[$1]#exit:}" ] ;;
          *) return 0 ;;
        esac
      }
      readiness() {
        case "${BEHAVIOUR[$1]}" in
          ready:*) if [ "$TICKS" -ge "${BEHAVIOUR[$1]#ready:}" ]; then echo yes; else echo no; fi ;;
          *) echo no ;;
        esac
      }
      mkdir -p "$PID_DIR" "$LOG_DIR"
      names=()
      for spec in "$@"; do
        name="${spec%%=*}"
        BEHAVIOUR[$name]="${spec#*=}"
        echo "log of $name" >"$LOG_DIR/$name.log"
        names+=("$name")
      done
      trap 'echo "ticks:$TICKS"' EXIT
      check_started "${names[@]}"
      """;

  @TempDir
  Path runDir;

  @Test
  void upWaitsUntilEveryNewWorkerIsReadyNotJustAlive() throws Exception {
    // Verifying takes a JVM worker seconds; the script used to call any replica alive after 3 s "started".
    SourcedScript.Run r = start("worker-1=ready:2", "worker-2=ready:6");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("ticks:6\n"), "returned when worker-2 was ready:\n" + r.output());
  }

  @Test
  void aWorkerThatExitsBeforeItIsReadyFailsTheCommandWithItsLog() throws Exception {
    SourcedScript.Run r = start("worker-1=ready:1", "worker-2=exit:5");
    assertEquals(1, r.code(), r.output());
    assertTrue(r.output().contains("log of worker-2"), r.output());
    assertTrue(r.output().contains("worker-2 exited right after it started"), r.output());
  }

  @Test
  void aWorkerNeverReadyIsNamedInAWarningAndLeftRunning() throws Exception {
    SourcedScript.Run r = start("worker-1=ready:1", "worker-2=never");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("warning: worker-2 not ready within 10 s"), r.output());
    assertFalse(r.output().contains("worker-1 not ready"), r.output());
  }

  /** Runs check_started on workers described as NAME=BEHAVIOUR, with a 10 s readiness deadline. */
  private SourcedScript.Run start(String... workers) throws Exception {
    return SourcedScript.run(runDir, HARNESS, Map.of("GOWORK_LOCAL_READY_SECONDS", "10"), workers);
  }
}
