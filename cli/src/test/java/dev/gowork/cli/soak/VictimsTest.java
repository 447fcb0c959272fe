package dev.gowork.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.settings.CliException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which process a soak kills and when a coordinator comes back: a function of the seed alone. */
class VictimsTest {
  private static final long LATE = 25_000;

  @Test
  void workersOnlyDrawsExactlyAsTheSoakAlwaysDidSoOldSeedsRepeatTheirRuns() {
    Victims victims = new Victims(Victims.Target.WORKERS, new Random(6), LATE);
    Random before = new Random(6);
    for (int i = 0; i < 50; i++) {
      Victims.Victim v = victims.next(3, 2);
      assertFalse(v.coordinator());
      assertEquals(before.nextInt(3), v.index());
    }
  }

  @Test
  void coordinatorsAreRestartedAtOnceOrLateAndEveryCoordinatorIsHit() {
    List<Victims.Victim> drawn = draw(Victims.Target.COORDINATORS, 7, 200);
    assertTrue(drawn.stream().allMatch(Victims.Victim::coordinator));
    assertTrue(drawn.stream().allMatch(v -> v.restartAfterMillis() == 0 || v.restartAfterMillis() == LATE));
    assertTrue(drawn.stream().anyMatch(v -> v.restartAfterMillis() == 0), "some restarted at once");
    assertTrue(drawn.stream().anyMatch(v -> v.restartAfterMillis() == LATE), "some restarted late");
    assertEquals(3, drawn.stream().mapToInt(Victims.Victim::index).distinct().count(), "a, b and c are all hit");
    assertTrue(drawn.stream().allMatch(v -> v.index() >= 0 && v.index() < 3));
  }

  @Test
  void bothHitsWorkersAndCoordinators() {
    List<Victims.Victim> drawn = draw(Victims.Target.BOTH, 7, 200);
    assertTrue(drawn.stream().anyMatch(Victims.Victim::coordinator));
    assertTrue(drawn.stream().anyMatch(v -> !v.coordinator()));
    assertTrue(drawn.stream().filter(v -> !v.coordinator()).allMatch(v -> v.restartAfterMillis() == 0));
  }

  @Test
  void aSeedRepeatsItsChoices() {
    assertEquals(draw(Victims.Target.BOTH, 42, 30), draw(Victims.Target.BOTH, 42, 30));
  }

  @Test
  void anUnknownTargetIsRefusedNamingTheFlag() {
    assertEquals(Victims.Target.COORDINATORS, Victims.Target.of(" Coordinators"));
    CliException e = assertThrows(CliException.class, () -> Victims.Target.of("brokers"));
    assertEquals(CliException.USAGE, e.exitCode());
    assertEquals("--kill must be workers, coordinators or both; was 'brokers'", e.getMessage());
  }

  private static List<Victims.Victim> draw(Victims.Target target, long seed, int n) {
    Victims victims = new Victims(target, new Random(seed), LATE);
    List<Victims.Victim> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(victims.next(3, 3));
    }
    return out;
  }
}
