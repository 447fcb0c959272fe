package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    for (String command : new String[] {"coordinator", "worker", "submit", "status", "cancel", "queue", "dead", "schedule", "events", "kafka",
        "demo", "bench", "soak"}) {
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
    for (String command : new String[] {"submit", "status", "cancel", "queue", "dead", "schedule", "events", "kafka", "demo",
        "bench", "soak"}) {
      Console c = new Console(Map.of());
      assertEquals(0, c.run(command, "--help"), command);
      assertTrue(c.out().startsWith("Usage: gowork " + command), c.out());
    }
  }

  @Test
  void helpTextIsNotBrokenIntoStrayLines() {
    // A description or footer line longer than the help width wraps, leaving its last word alone on a
    // line before the next one ("Other GOWORK_*" / "variables" / "are not passed ..." in demo's footer).
    for (String command : new String[] {"submit", "status", "cancel", "queue", "dead", "schedule", "events", "kafka", "demo",
        "bench", "soak"}) {
      Console c = new Console(Map.of());
      assertEquals(0, c.run(command, "--help"), command);
      c.out().lines().filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.strip().contains(" ") && !l.endsWith(":")
          && !l.endsWith(".")).forEach(l -> {
            throw new AssertionError(command + " --help has the stray line '" + l + "':\n" + c.out());
          });
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
    assertEquals("gowork: unknown option '--bogus' (see 'gowork status --help')\n", c.err());
    Console typo = new Console(Map.of());
    assertEquals(2, typo.run("submit", "--wiat", "30", "{}"));
    assertEquals("gowork: unknown option '--wiat' (did you mean --wait?) (see 'gowork submit --help')\n", typo.err());
    Console d = new Console(Map.of());
    assertEquals(2, d.run("demo", "--items", "abc"));
    assertTrue(d.err().startsWith("gowork: Invalid value for option '--items': 'abc' is not an int"), d.err());
    assertEquals(1, d.err().lines().count(), d.err());
  }

  @Test
  void aTokenTypedAsAFlagIsNotPrinted() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("submit", "--api-token=typed-token-0123456789", "{}"));
    assertEquals("gowork: unknown option '--api-token'; secrets are read only from the environment or a *_FILE, never "
        + "from a flag (see 'gowork submit --help')\n", c.err());
  }

  @Test
  void aSecretTypedInTheWrongPlaceIsNotPrinted() {
    String secret = "typed-secret-0123456789-abcdefghij";
    for (String[] args : new String[][] {{"status", "-s" + secret}, {"status", "--api-token", "-" + secret},
        {"events", "--", "-s" + secret}, {"events", "--api-token" + secret}, {secret, "status"}}) {
      Console c = new Console(Map.of());
      assertEquals(2, c.run(args), String.join(" ", args));
      assertFalse(c.err().contains("typed-secret") || c.err().contains("0123456789"), c.err());
    }
    Console shortFlag = new Console(Map.of());
    assertEquals(2, shortFlag.run("status", "-s" + secret));
    assertEquals("gowork: unknown option '-s' (see 'gowork status --help')\n", shortFlag.err());
  }

  @Test
  void aFlagWhoseValueWasForgottenDoesNotShowTheArgumentItTookInstead() {
    String secret = "typed-secret-0123456789-abcdefghij";
    Console timeout = new Console(Map.of());
    assertEquals(2, timeout.run("submit", "-t", "-s" + secret, "{}"));
    assertEquals("gowork: option '--timeout' takes SECONDS; was <not shown: it starts with '-', so it may be the next "
        + "option (after a forgotten value) or a secret> (see 'gowork submit --help')\n", timeout.err());
    for (String[] args : new String[][] {{"submit", "--wait", "--api-token=" + secret, "{}"},
        {"submit", "--url", "--api-token=" + secret, "{}"}, {"submit", "--queue", "--api-token=" + secret, "{}"},
        {"status", "--url", "-s" + secret}, {"events", "--type", "-s" + secret},
        {"bench", "--workload", "-s" + secret}, {"submit", "--queue", "-q" + secret, "{}"}}) {
      Console c = new Console(Map.of());
      assertEquals(2, c.run(args), String.join(" ", args));
      assertFalse(c.err().contains("typed-secret") || c.err().contains("0123456789"), c.err());
      assertTrue(c.err().contains("<not shown: it starts with '-'"), c.err());
    }
    Console ordinary = new Console(Map.of());
    assertEquals(2, ordinary.run("submit", "--timeout", "abc", "{}"));
    assertTrue(ordinary.err().startsWith("gowork: Invalid value for option '--timeout': 'abc' is not an int"),
        ordinary.err());
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("frobnicate"));
    assertTrue(c.err().contains("frobnicate"), c.err());
  }

  @Test
  void anUnknownCommandIsNamedAsOneWithTheLikelyOne() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("sumbit", "{}"));
    assertEquals("gowork: unknown command 'sumbit' (did you mean submit?); 'gowork --help' lists the commands\n",
        c.err());
    Console d = new Console(Map.of());
    assertEquals(2, d.run("frobnicate"));
    assertEquals("gowork: unknown command 'frobnicate'; 'gowork --help' lists the commands\n", d.err());
  }

  @Test
  void theCommandListShowsWholeSummaries() {
    Console c = new Console(Map.of());
    assertEquals(0, c.run("--help"));
    // Each command's summary is the first line of its description: one that breaks off mid-sentence
    // (as "Repeating work: ..., with the id" did) reads as a mistake.
    c.out().lines().filter(l -> l.matches("  [a-z]+ +\\S.*")).forEach(l -> {
      String command = l.strip().split(" +")[0];
      String summary = c.out().substring(c.out().indexOf(l)).lines().takeWhile(x -> x.equals(l) || x.startsWith("     "))
          .map(String::strip).reduce((a, b) -> a + " " + b).orElse("");
      assertTrue(summary.endsWith("."), command + ": " + summary);
    });
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
        "--settle", "--ledger-timeout", "--coordinators", "--kill"}) {
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
  void soakRefusesCoordinatorKillsWithOneCoordinatorAndAnUnknownVictimBeforeStartingAnything() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("soak", "--kill", "coordinators"));
    assertTrue(c.err().contains("--kill coordinators needs --coordinators 2 or more"), c.err());
    Console d = new Console(Map.of());
    assertEquals(2, d.run("soak", "--coordinators", "2", "--kill", "brokers"));
    assertTrue(d.err().contains("--kill must be workers, coordinators or both; was 'brokers'"), d.err());
    Console e = new Console(Map.of());
    assertEquals(2, e.run("soak", "--coordinators", "9"));
    assertTrue(e.err().contains("--coordinators"), e.err());
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
