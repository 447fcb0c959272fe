package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How deploy/local/gowork-local stops processes (scale down, down), against a fake process table and a fake
 * clock: the script is sourced, and its is_alive, kill and sleep are replaced, so a process can keep
 * tearing down after SIGKILL, or never end, without real processes and without waiting.
 */
class LocalStopTest {
  /**
   * worker-N's PID is N. Each worker ends on SIGTERM ("term"), N clock ticks after SIGKILL ("kill:N", a JVM
   * still tearing down) or never ("never"); every sleep is one tick of one second.
   */
  private static final String HARNESS = """
      set -euo pipefail
      source "$1"
      shift
      declare -A BEHAVIOUR=() TERMINATED=() KILLED_AT=()
      TICKS=0
      SIGNALS=""
      sleep() { TICKS=$((TICKS + 1)); SECONDS=$((SECONDS + 1)); }
      kill() {
        SIGNALS+=" ${1#-}:worker-$2"
        if [ "$1" = -TERM ]; then TERMINATED[worker-$2]=1; fi
        if [ "$1" = -KILL ]; then KILLED_AT[worker-$2]=$TICKS; fi
      }
      is_alive() {
        [ -f "$PID_DIR/$1.pid" ] || return 1
        case "${BEHAVIOUR[$1]}" in
          term) [ -z "${TERMINATED[$1]:-}" ] ;;
          kill:*) [ -z "${KILLED_AT[$1]:-}" ] || [ $((TICKS - KILLED_AT[$1])) -lt "${BEHAVIOUR[$1]#kill:}" ] ;;
          never) return 0 ;;
        esac
      }
      mkdir -p "$PID_DIR"
      names=()
      for spec in "$@"; do
        name="${spec%%=*}"
        BEHAVIOUR[$name]="${spec#*=}"
        printf '%s\\nfake start\\nworker\\n' "${name#worker-}" >"$PID_DIR/$name.pid"
        names+=("$name")
      done
      stop_procs "${names[@]}"
      echo "signals:$SIGNALS"
      echo "pid files:" $(ls "$PID_DIR")
      """;

  @TempDir
  Path runDir;

  @Test
  void aWorkerStillTearingDownAfterSigkillIsWaitedForAndNotReportedAsNotEnded() throws Exception {
    String out = stop("worker-1=term", "worker-2=kill:3");
    assertTrue(out.contains("worker-2 (PID 2) still running after 7 s: SIGKILL"), out);
    assertFalse(out.contains("did not end"), out);
    assertTrue(out.contains("signals: TERM:worker-1 TERM:worker-2 KILL:worker-2\n"), out);
    assertTrue(out.contains("pid files:\n"), "both ended, so both PID files are gone:\n" + out);
  }

  @Test
  void aWorkerThatOutlivesSigkillIsReportedAndKeepsItsPidFile() throws Exception {
    String out = stop("worker-1=term", "worker-2=never");
    assertTrue(out.contains("warning: worker-2 (PID 2) did not end"), out);
    assertFalse(out.contains("worker-1 (PID 1) did not end"), out);
    assertTrue(out.contains("pid files: worker-2.pid\n"), out);
  }

  @Test
  void aWorkerThatEndsOnSigtermGetsNoSigkill() throws Exception {
    String out = stop("worker-1=term");
    assertTrue(out.contains("signals: TERM:worker-1\n"), out);
    assertFalse(out.contains("did not end"), out);
  }

  /** Runs stop_procs on workers described as NAME=BEHAVIOUR, with a 2 s grace period; returns what it printed. */
  private String stop(String... workers) throws Exception {
    SourcedScript.Run r = SourcedScript.run(runDir, HARNESS, Map.of("GOWORK_SHUTDOWN_GRACE_SECONDS", "2"), workers);
    assertEquals(0, r.code(), r.output());
    return r.output();
  }
}
