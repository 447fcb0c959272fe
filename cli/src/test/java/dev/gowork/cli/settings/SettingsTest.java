package dev.gowork.cli.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  private final Settings env = new Settings(Map.of("GOWORK_CONCURRENCY", "8", "GOWORK_BAD", "lots",
      "GOWORK_BLANK", "  ", "GOWORK_QUEUE", "no spaces allowed"));

  @Test
  void aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
    assertEquals(3, env.integer("--concurrency", 3, "GOWORK_CONCURRENCY", 2, 1, 100));
    assertEquals(8, env.integer("--concurrency", null, "GOWORK_CONCURRENCY", 2, 1, 100));
    assertEquals(2, env.integer("--concurrency", null, "GOWORK_UNSET", 2, 1, 100));
    assertEquals("d", env.string("--x", null, "GOWORK_BLANK", "d"), "a blank variable counts as unset");
  }

  @Test
  void anIntegerErrorNamesWhereTheValueCameFrom() {
    CliException e = assertThrows(CliException.class, () -> env.integer("--c", null, "GOWORK_BAD", 2, 1, 100));
    assertEquals("GOWORK_BAD must be an integer between 1 and 100; was 'lots'", e.getMessage());
    assertEquals(CliException.USAGE, e.exitCode());
    e = assertThrows(CliException.class, () -> env.integer("--items", 0, "GOWORK_CONCURRENCY", 2, 1, 100));
    assertEquals("--items must be between 1 and 100; was 0", e.getMessage());
  }

  @Test
  void urlsMustBeHttpWithAHost() {
    assertEquals("http://h:1", env.httpUrl("--url", "http://h:1/", "X", "http://d").toString());
    CliException e = assertThrows(CliException.class, () -> env.httpUrl("--url", "localhost:8080", null, "http://d"));
    assertTrue(e.getMessage().startsWith("--url must be an http:// or https:// URL with a host"), e.getMessage());
  }

  @Test
  void anAddressWithoutASchemeIsToldWhatAUrlTakes() {
    CliException e = assertThrows(CliException.class, () -> env.httpUrl("--url", "127.0.0.1:8080", null, "http://d"));
    assertEquals("--url must be an http:// or https:// URL with a host; was '127.0.0.1:8080'", e.getMessage());
  }

  @Test
  void queuesAreCheckedAndNamed() {
    assertEquals("images", env.queue("--queue", "images", "GOWORK_QUEUE", null));
    CliException e = assertThrows(CliException.class, () -> env.queue("--queue", null, "GOWORK_QUEUE", null));
    assertTrue(e.getMessage().startsWith("GOWORK_QUEUE: queue name 'no spaces allowed' is invalid"), e.getMessage());
    assertNull(new Settings(Map.of()).queue("--queue", null, "GOWORK_QUEUE", null));
  }

  @Test
  void aSecretComesFromItsVariableOrItsFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-file\n");
    assertEquals("direct", new Settings(Map.of("T", "direct")).secret("T", "T_FILE"));
    CliException both = assertThrows(CliException.class,
        () -> new Settings(Map.of("T", "direct", "T_FILE", file.toString())).secret("T", "T_FILE"));
    assertEquals("T and T_FILE are both set; set one", both.getMessage());
    assertEquals("from-file", new Settings(Map.of("T_FILE", file.toString())).secret("T", "T_FILE"));
    assertNull(new Settings(Map.of()).secret("T", "T_FILE"));
    CliException e = assertThrows(CliException.class,
        () -> new Settings(Map.of("T_FILE", dir.resolve("missing").toString())).secret("T", "T_FILE"));
    assertTrue(e.getMessage().startsWith("T_FILE names a file that cannot be read"), e.getMessage());
  }
}
