package dev.gowork.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ShareGroupSettingsTest {

    @Test
    void defaultsAreThoseOfTheContract() {
        ShareGroupSettings defaults = ShareGroupSettings.defaults();
        assertEquals(Duration.ofSeconds(30), defaults.lockDuration());
        assertEquals(5, defaults.deliveryCountLimit());
        assertEquals("earliest", defaults.autoOffsetReset());
        assertEquals(Optional.empty(), defaults.heartbeatInterval());
        assertEquals(Optional.empty(), defaults.deadLetterTopic());
    }

    @Test
    void nullsBecomeDefaults() {
        ShareGroupSettings settings = new ShareGroupSettings(Duration.ofSeconds(5), 2, null, null, null);
        assertEquals("earliest", settings.autoOffsetReset());
        assertEquals(Optional.empty(), settings.heartbeatInterval());
        assertEquals(Optional.empty(), settings.deadLetterTopic());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ShareGroupSettings(Duration.ZERO, 5, "earliest", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new ShareGroupSettings(Duration.ofSeconds(1), 0, "earliest", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new ShareGroupSettings(Duration.ofSeconds(1), 5, " ", Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ShareGroupSettings(Duration.ofSeconds(1), 5,
                "earliest", Optional.of(Duration.ofMillis(-1)), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ShareGroupSettings(Duration.ofSeconds(1), 5,
                "earliest", Optional.empty(), Optional.of("")));
    }
}
