package dev.gowork.coordinator;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The long ledger check, excluded from the default run (tag {@code soak}). Run it with
 * <pre>
 * ./mvnw -pl coordinator -am verify -Dgroups=soak -DexcludedGroups=none -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * and size it with {@code -Dgowork.soak.items=20000 -Dgowork.soak.crashes=4} (defaults shown).
 * It adds the items in 10 batches, crashes and replaces the coordinator {@code crashes} times,
 * restarts the embedded broker once in the middle, then checks that every item completed with
 * exactly one terminal event on the events topic.
 */
@Tag("soak")
@ExtendWith(KafkaExtension.class)
class SoakTest extends ServerFixture {

  @Test
  void manyItemsThroughCoordinatorCrashesAndABrokerRestart(TestKafka k) {
    int items = Integer.getInteger("gowork.soak.items", 20_000);
    int crashes = Integer.getInteger("gowork.soak.crashes", 4);
    ReliabilityLedgerTest.ledger(this, k, items, crashes, k.embedded().isPresent());
  }
}
