package dev.gowork.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BootstrapServersTest {

    @Test
    void hostPortListsAsTheKafkaClientReadsThemAreWellFormed() {
        for (String good : new String[] {"kafka:9092", "kafka-1:9092,kafka-2:9092", "kafka-1:9092, kafka-2:9092",
                "[::1]:9092", "10.0.0.5:1", "k:65535,"}) {
            assertTrue(BootstrapServers.isWellFormed(good), good);
        }
    }

    @Test
    void anythingElseIsNot() {
        for (String bad : new String[] {"not a host", "kafka", "kafka:abc", "kafka:0", "kafka:70000", ",", "", " ",
                "kafka:9092,kafka", "kafka:9092;kafka-2:9092"}) {
            assertFalse(BootstrapServers.isWellFormed(bad), bad);
        }
        assertFalse(BootstrapServers.isWellFormed(null));
    }
}
