package dev.gowork.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.GoWorkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {
  @Test
  void namesFollowTheArchitecture() {
    Topics t = Topics.of("gowork");
    assertEquals("gowork.work.default", t.work("default"));
    assertEquals("gowork.workers.default", t.shareGroup("default"));
    assertEquals("gowork.results", t.results());
    assertEquals("gowork.events", t.events());
    assertEquals("dlq.gowork.work.emails", t.deadLetter("emails"));
    assertEquals("emails", t.queueOf("gowork.work.emails"));
    assertNull(t.queueOf("other.work.emails"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a.b", "a b", "ü", "x/y", "..", "q*"})
  void invalidQueueNamesAreRefusedWithTheName(String queue) {
    GoWorkException e = assertThrows(GoWorkException.class, () -> Topics.validateQueue(queue));
    assertTrue(e.getMessage().contains("queue name"), e.getMessage());
  }

  @Test
  void overlongQueueIsRefused() {
    assertThrows(GoWorkException.class, () -> Topics.validateQueue("q".repeat(101)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".a", "a.", "a..b", "a b"})
  void invalidPrefixesAreRefused(String prefix) {
    GoWorkException e = assertThrows(GoWorkException.class, () -> Topics.of(prefix));
    assertTrue(e.getMessage().contains("topic prefix"), e.getMessage());
  }
}
