package dev.gowork.cli.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.settings.CliException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client settings the Kafka client refuses are a usage error that says why, without a broker. */
class FollowEventsSettingsTest {
  @Test
  void aMalformedBootstrapServersValueIsNamedWithTheClientsReason() {
    CliException e = assertThrows(CliException.class,
        () -> FollowEvents.open("not a host", Map.of(), "gowork.events", false));
    assertEquals(CliException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("GOWORK_BOOTSTRAP_SERVERS"), e.getMessage());
    assertTrue(e.getMessage().contains("bootstrap.servers: not a host"), e.getMessage());
  }
}
