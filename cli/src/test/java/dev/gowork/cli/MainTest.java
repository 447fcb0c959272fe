package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void withoutACommandPrintsTheCommandsAndExits2() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run());
    for (String command : new String[] {"coordinator", "worker", "submit", "status", "cancel", "queue", "dead", "schedule", "events", "demo",
        "bench", "soak"}) {
      assertTrue(c.err().contains(command), command + " missing from:\n" + c.err());
    }
  }

  @Test
  void theVersionIsPrintedAlsoAfterACommandInOneFormat() {
    Console top = new Console(Map.of());
    assertEquals(0, top.run("-V"));
    assertTrue(top.out().startsWith("gowork "), top.out());
    for (String[] args : new String[][] {{"--version"}, {"submit", "-V"}, {"status", "--version"},
        {"events", "-V"}, {"demo", "-V"}, {"coordinator", "-V"}, {"worker", "--version"},
        {"worker", "--queue", "q", "-V"}}) {
      Console c = new Console(Map.of());
      assertEquals(0, c.run(args), String.join(" ", args));
      assertEquals(top.out(), c.out(), String.join(" ", args));
    }
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"submit", "status", "cancel", "queue", "dead", "schedule", "events", "demo", "bench",
        "soak"}) {
      Console c = new Console(Map.of());
      assertEquals(0, c.run(command, "--help"), command);
      assertTrue(c.out().startsWith("Usage: gowork " + command), c.out());
    }
  }

  @Test
  void coordinatorHelpIsTheCoordinatorsOwn() {
    for (String[] args : new String[][] {{"coordinator", "--help"}, {"help", "coordinator"}}) {
      PrintStream before = System.out;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        assertEquals(0, new Console(Map.of()).run(args));
      } finally {
        System.setOut(before);
      }
      String shown = captured.toString(StandardCharsets.UTF_8);
      assertTrue(shown.contains("GOWORK_SECRET") && shown.contains("--http-port"), String.join(" ", args) + ": " + shown);
    }
  }

  @Test
  void workerHelpIsTheWorkersOwn() {
    assertEquals(0, new Console(Map.of()).run("worker", "--help"));
  }

  @Test
  void aBadOptionIsOneLineThatPointsToTheHelp() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("status", "--bogus"));
    assertEquals("gowork: Unknown option: '--bogus' (see 'gowork status --help')\n", c.err());
    Console d = new Console(Map.of());
    assertEquals(2, d.run("demo", "--items", "abc"));
    assertTrue(d.err().startsWith("gowork: Invalid value for option '--items': 'abc' is not an int"), d.err());
    assertEquals(1, d.err().lines().count(), d.err());
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("frobnicate"));
    assertTrue(c.err().contains("frobnicate"), c.err());
  }

  @Test
  void benchHelpListsItsWorkloadsAndTheRawComparison() {
    Console c = new Console(Map.of());
    assertEquals(0, c.run("bench", "--help"));
    assertTrue(c.out().contains("--raw") && c.out().contains("--workload") && c.out().contains("--in-flight"),
        c.out());
  }

  @Test
  void soakHelpListsEveryOption() {
    Console c = new Console(Map.of());
    assertEquals(0, c.run("soak", "--help"));
    for (String option : new String[] {"--items", "--replicas", "--kill-every", "--max-kills", "--handler", "--sleep-ms",
        "--concurrency", "--max-attempts", "--work-timeout", "--seed", "--data-dir", "--ready-timeout", "--timeout",
        "--settle", "--ledger-timeout"}) {
      assertTrue(c.out().contains(option), option + " missing from:\n" + c.out());
    }
  }

  @Test
  void soakRefusesAnUnknownHandlerBeforeStartingAnything() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("soak", "--handler", "fail"));
    assertTrue(c.err().contains("--handler must be echo or sleep; was 'fail'"), c.err());
  }

  @Test
  void demoAndSoakRefuseMoreSlotsThanAWorkerTakesBeforeStartingAnything() {
    for (String command : new String[] {"demo", "soak"}) {
      Console c = new Console(Map.of("GOWORK_CONCURRENCY", "500"));
      assertEquals(2, c.run(command), command + ": " + c.err());
      assertTrue(c.err().contains("must be between 1 and 200"), command + ": " + c.err());
    }
  }

  @Test
  void aBadSettingInTheEnvironmentNamesTheVariableAndExits2() {
    Console c = new Console(Map.of("GOWORK_COORDINATOR_URL", "ftp://nowhere"));
    assertEquals(2, c.run("status"));
    assertTrue(c.err().contains("GOWORK_COORDINATOR_URL must be an http:// or https:// URL"), c.err());
  }

  @Test
  void aBadFlagValueNamesTheFlag() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("submit", "--timeout", "0", "{}"));
    assertTrue(c.err().contains("--timeout must be between 1 and"), c.err());
  }
}
