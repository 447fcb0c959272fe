package dev.gowork.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.coordinator.testing.CapturedWarnings;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** The takeover record on its own: the first notice wins, is logged once, and names the instance id. */
class InstanceTakeoverTest {
  @Test
  void theFirstNoticeIsLoggedOnceRunsTheActionsOnceAndNamesTheInstanceId() {
    InstanceTakeover takeover = new InstanceTakeover("jobs.eu.coordinator-b-2");
    AtomicInteger before = new AtomicInteger();
    AtomicInteger after = new AtomicInteger();
    takeover.onTakeover(before::incrementAndGet);
    assertFalse(takeover.happened());
    try (CapturedWarnings errors = CapturedWarnings.from(Level.ERROR, InstanceTakeover.class.getName())) {
      takeover.noticed("membership of the coordinators' group (jobs.eu.coordinator)", new IllegalStateException("x"));
      takeover.noticed("transactional id jobs.eu.coordinator-b-2", new IllegalStateException("y"));
      takeover.onTakeover(after::incrementAndGet);
      assertEquals(1, errors.lines().size(), errors.lines()::toString);
    }
    assertTrue(takeover.happened());
    assertEquals(1, before.get());
    assertEquals(1, after.get(), "an action added afterwards runs at once");
    String why = takeover.why().orElseThrow().getMessage();
    assertTrue(why.startsWith("fenced: another coordinator with instance id b-2 took over this one's membership of "
        + "the coordinators' group") && why.contains("give each its own GOWORK_INSTANCE_ID"), why);
  }
}
