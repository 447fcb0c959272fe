package dev.gowork.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.settings.CliException;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DemoPlanTest {

  @Test
  void portsFoundFreeAreApartFromEachOtherAndFromThoseTaken() {
    // The system may hand out a port found free a moment ago again, as it is not bound yet.
    PrimitiveIterator.OfInt offered = IntStream.of(9000, 9000, 8080, 9001).iterator();

    List<Integer> ports = DemoPlan.freePortsApart(2, List.of(8080), offered::nextInt);

    assertEquals(List.of(9000, 9001), ports);
  }

  @Test
  void aSystemThatKeepsOfferingTakenPortsIsAnErrorNamingThem() {
    CliException e = assertThrows(CliException.class, () -> DemoPlan.freePortsApart(1, List.of(9000), () -> 9000));

    assertTrue(e.getMessage().contains("apart from [9000]"), e.getMessage());
  }

  @Test
  void aLocalPlanHasTwoDifferentPorts() {
    DemoPlan plan = DemoPlan.local(10, 1, 1, 5, java.nio.file.Path.of("unused"), java.util.Map.of());

    assertTrue(plan.httpPort() != plan.kafkaPort(), plan.toString());
  }
}
