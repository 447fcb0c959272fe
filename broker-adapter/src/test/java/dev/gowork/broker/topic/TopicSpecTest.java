package dev.gowork.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TopicSpecTest {

    @Test
    void factories() {
        assertEquals(new TopicSpec("a", 2, 1, Map.of()), TopicSpec.of("a", 2, 1));
        assertEquals(Map.of("cleanup.policy", "compact"), TopicSpec.compacted("s", 1, 1).configs());
    }

    @Test
    void configsAreCopied() {
        Map<String, String> configs = new HashMap<>(Map.of("retention.ms", "1000"));
        TopicSpec spec = new TopicSpec("a", 1, 1, configs);
        configs.clear();
        assertEquals(Map.of("retention.ms", "1000"), spec.configs());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TopicSpec.of(" ", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("a", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("a", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("a", 1, 40_000));
    }
}
