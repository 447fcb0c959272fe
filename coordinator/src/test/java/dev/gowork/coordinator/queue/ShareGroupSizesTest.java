package dev.gowork.coordinator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** The share groups' last count: when a count is due, what is kept, and one log line per change of fullness. */
class ShareGroupSizesTest {
  private static final Duration INTERVAL = Duration.ofSeconds(15);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final ShareGroupSizes sizes = new ShareGroupSizes(clock, INTERVAL);

  private static Map<String, ShareGroupSizes.Count> count(Integer members, Integer max) {
    return Map.of("default", new ShareGroupSizes.Count("p.workers.default", members, max));
  }

  @Test
  void aCountIsDueOncePerInterval() {
    assertTrue(sizes.due(), "nothing counted yet");
    sizes.update(count(1, 2));
    assertFalse(sizes.due());
    clock.advance(INTERVAL.minusMillis(1));
    assertFalse(sizes.due(), "the last count is still fresh: no Admin call");
    clock.advance(Duration.ofMillis(1));
    assertTrue(sizes.due());
    sizes.update(count(1, 2));
    clock.step(Duration.ofMinutes(-5));
    assertTrue(sizes.due(), "a clock stepped back past the last count does not stop counting for 5 minutes");
  }

  @Test
  void fullOnceMembersReachTheLimit() {
    sizes.update(count(1, 2));
    GroupSize g = sizes.current().get("default");
    assertEquals(new GroupSize("p.workers.default", 1, 2, clock.instant()), g);
    assertFalse(g.full());
    sizes.update(count(2, 2));
    assertTrue(sizes.current().get("default").full());
    sizes.update(count(3, 2));
    assertTrue(sizes.current().get("default").full(), "past the limit (members that joined before it was lowered)");
    assertFalse(new GroupSize("g", 5, null, null).full(), "an unknown limit is never full");
    assertFalse(GroupSize.unknown("g").full());
  }

  @Test
  void becomingFullIsLoggedOnceAndHavingRoomAgainOnce() {
    try (CapturedWarnings log = CapturedWarnings.from(Level.INFO, ShareGroupSizes.class.getName())) {
      assertEquals(Map.of(), sizes.update(count(1, 2)));
      assertEquals(Map.of("default", true), sizes.update(count(2, 2)));
      for (int i = 0; i < 5; i++) {
        clock.advance(INTERVAL);
        assertEquals(Map.of(), sizes.update(count(2, 2)), "still full: nothing new to say");
      }
      assertEquals(Map.of("default", false), sizes.update(count(1, 2)));
      assertEquals(Map.of(), sizes.update(count(1, 2)));
      assertEquals(2, log.lines().size(), String.valueOf(log.lines()));
      assertTrue(log.lines().get(0).contains("share group p.workers.default has 2 of 2 members")
          && log.lines().get(0).contains(GroupSize.FULL_WARNING), log.lines().get(0));
      assertTrue(log.lines().get(1).contains("has room again (1 of 2 members)"), log.lines().get(1));
    }
  }

  @Test
  void aCountNotAnsweredKeepsTheLastOneAndItsFullness() {
    sizes.update(count(2, 2));
    Instant counted = clock.instant();
    clock.advance(INTERVAL);
    assertEquals(Map.of(), sizes.update(count(null, null)), "not answered is not 'room again'");
    assertEquals(new GroupSize("p.workers.default", 2, 2, counted), sizes.current().get("default"));
    clock.advance(INTERVAL);
    assertEquals(Map.of(), sizes.update(count(2, null)), "a limit not answered keeps the last one known");
    assertEquals(2, sizes.current().get("default").maxMembers());
  }

  @Test
  void neverCountedShowsUnknownAndQueuesLeftOutAreForgotten() {
    sizes.update(count(null, 200));
    GroupSize g = sizes.current().get("default");
    assertNull(g.members());
    assertNull(g.checkedAt());
    assertEquals(200, g.maxMembers());
    sizes.update(count(2, 2));
    sizes.update(Map.of());
    assertEquals(Map.of(), sizes.current());
    assertEquals(Map.of("default", true), sizes.update(count(2, 2)), "a queue listed again starts afresh");
  }
}
