package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every field an event can carry on {@code <p>.events} is listed where analytics readers look for it: the
 * README's "The events topic, for analytics" and docs/protocol.md's "Events, for analytics".
 */
class EventFieldsDocumentedTest {
  private static final Event EVERY_FIELD = new Event("id", EventType.WORK_FAILED, Instant.EPOCH, "default", "wk-1",
      "w-1", "build-7", 1, 2, 3L, "boom");

  @Test
  void theReadmeListsEveryEventField() throws IOException {
    assertEquals(List.of(), undocumented(section("../README.md", "### The events topic, for analytics", "\n### ")));
  }

  @Test
  void theProtocolPageListsEveryEventField() throws IOException {
    assertEquals(List.of(), undocumented(section("../docs/protocol.md", "## Events, for analytics", "\n## ")));
  }

  private static List<String> undocumented(String doc) {
    List<String> missing = new ArrayList<>();
    WireCodec.defaults().toJson(EVERY_FIELD).fieldNames().forEachRemaining(f -> {
      if (!f.equals("schema") && !doc.contains("`" + f + "`") && !doc.contains("\"" + f + "\"")) {
        missing.add(f);
      }
    });
    return missing;
  }

  private static String section(String file, String heading, String next) throws IOException {
    String text = Files.readString(Path.of(file));
    int start = text.indexOf(heading);
    assertTrue(start >= 0, file + " has no section '" + heading + "'");
    int end = text.indexOf(next, start + heading.length());
    return text.substring(start, end < 0 ? text.length() : end);
  }
}
