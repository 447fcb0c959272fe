package dev.gowork.broker.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.PrimitiveIterator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BrokerPropertiesTest {

  @Test
  void theControllersPortIsNeverTheBrokersOwn() {
    // The broker's port may have been found free a moment ago and not be bound yet: the system may offer it again.
    PrimitiveIterator.OfInt offered = IntStream.of(9092, 9092, 40001).iterator();

    assertEquals(40001, BrokerProperties.freePortOtherThan(9092, offered::nextInt));
  }

  @Test
  void aSystemThatOffersOnlyTheBrokersPortIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> BrokerProperties.freePortOtherThan(9092, () -> 9092));

    assertEquals("No free port on 127.0.0.1 other than 9092", e.getMessage());
  }
}
