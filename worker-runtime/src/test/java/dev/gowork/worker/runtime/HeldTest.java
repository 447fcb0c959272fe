package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.worker.testing.Works;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Starting a handler and releasing a record that has not started exclude each other. */
class HeldTest {
  private final WorkEnvelope work = Works.work("q", Works.data(), Instant.now(), Duration.ofMinutes(5));

  private Held held() {
    return new Held(null, new ConsumerRecord<>("t", 0, 0, "k", new byte[0]), work, 1,
        new RunContext(work, 1, Clock.systemUTC()), System.nanoTime());
  }

  @Test
  void aStartedRecordIsNotReleasedAsUnstarted() {
    Held h = held();
    assertTrue(h.start(System.nanoTime()));
    assertFalse(h.releaseIfUnstarted(), "its handler runs");
    assertTrue(h.settle(Held.Fate.PUBLISH), "the handler's thread settles it when it ends");
  }

  @Test
  void aReleasedRecordIsNotStarted() {
    Held h = held();
    assertTrue(h.releaseIfUnstarted());
    assertFalse(h.start(System.nanoTime()), "the handler must not run");
    assertFalse(h.settle(Held.Fate.PUBLISH));
  }

  @Test
  void aStartedRecordCanStillBeSettledByThePollThreadOnce() {
    Held h = held();
    assertTrue(h.start(System.nanoTime()));
    assertTrue(h.settle(Held.Fate.RELEASE), "the deadline grace ran out");
    assertFalse(h.settle(Held.Fate.PUBLISH), "the handler's late outcome is dropped");
    assertTrue(h.isSettled());
  }
}
