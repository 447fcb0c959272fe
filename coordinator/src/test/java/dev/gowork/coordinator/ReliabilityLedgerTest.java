package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.embedded.EmbeddedKafka;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ledger checks on the real broker: work added in batches, completed by raw share-group workers,
 * through coordinator crashes and a broker restart; afterwards every added work id is completed and
 * has exactly one terminal event on the events topic (read_committed). {@link SoakTest} runs the
 * same with more items and crashes.
 */
@ExtendWith(KafkaExtension.class)
class ReliabilityLedgerTest extends ServerFixture {
  private static final Logger LOG = LoggerFactory.getLogger(ReliabilityLedgerTest.class);

  @Test
  void twoThousandItemsThroughTwoCoordinatorCrashesEachCompleteWithOneTerminalEvent(TestKafka k) {
    ledger(this, k, 2000, 2, false);
  }

  @Test
  void aBrokerRestartMidRunLosesNothing(TestKafka k) {
    assumeTrue(k.embedded().isPresent(), "needs the embedded broker");
    ledger(this, k, 400, 0, true);
  }

  /**
   * Adds {@code items} in 10 batches while two workers complete them; crashes and replaces the
   * coordinator {@code crashes} times (spread over the run, some while results flow), optionally
   * restarts the broker in the middle; then checks the ledger.
   */
  static void ledger(ServerFixture f, TestKafka k, int items, int crashes, boolean restartBroker) {
    f.start(k, b -> b.sendTimeout(Duration.ofSeconds(60))).start();
    Session s = f.handshake();
    f.autoWorker(s);
    f.autoWorker(s);
    List<String> ids = new ArrayList<>();
    int batches = 10;
    int crashEvery = crashes == 0 ? Integer.MAX_VALUE : Math.max(1, batches / (crashes + 1));
    long began = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      List<Work> batch = new ArrayList<>();
      for (int i = 0; i < items / batches; i++) {
        batch.add(f.server.createWork("item-" + b + "-" + i, 3600));
      }
      f.server.addAll(batch);
      batch.forEach(w -> ids.add(w.id()));
      if (b > 0 && b % crashEvery == 0 && crashes-- > 0) {
        int seen = ids.size() / 2;
        Poll.until(() -> f.log.of(EventType.WORK_COMPLETE).size() >= seen, Duration.ofSeconds(60),
            seen + " completions before crashing");
        long ms = f.crashAndRestart(() -> { });
        LOG.info("MEASURED coordinator restart with {} items known: start() incl. rebuild {} ms", ids.size(), ms);
      }
      if (restartBroker && b == batches / 2) {
        EmbeddedKafka broker = k.embedded().orElseThrow();
        long t0 = System.nanoTime();
        broker.restart();
        long restartMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        Work probe = f.server.createWork("probe", 3600);
        long t1 = System.nanoTime();
        Poll.until(() -> {
          try {
            f.server.add(probe);
            return true;
          } catch (GoWorkException e) {
            return false;
          }
        }, Duration.ofSeconds(90), "an add to succeed after the broker restart");
        ids.add(probe.id());
        LOG.info("MEASURED broker restart: {} ms down (stop+start), first add acknowledged {} ms after it was back",
            restartMs, Duration.ofNanos(System.nanoTime() - t1).toMillis());
      }
    }
    Poll.until(() -> ids.stream().allMatch(id -> f.server.status(id).map(st -> st.state() == WorkState.COMPLETED)
        .orElse(false)), Duration.ofSeconds(60 + items / 100), "every item completed");
    LOG.info("MEASURED {} items completed in {} ms", ids.size(), Duration.ofNanos(System.nanoTime() - began).toMillis());
    Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), f.topics.events())).keySet()
        .containsAll(ids), Duration.ofSeconds(60), "every terminal event committed");
    List<Event> events = EventsTopic.readAll(k.clients(), f.topics.events());
    EventsTopic.assertOneTerminalEach(events, ids, EventType.WORK_COMPLETE);
    assertEquals(0, f.server.queueSize());
  }
}
