package dev.gowork.cli.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.cli.settings.CliException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkInputTest {
  private final WorkInput input = new WorkInput(new WireCodec(2048));

  private List<JsonNode> read(String text) {
    return input.fromStream("work.json", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private String error(Runnable r) {
    CliException e = assertThrows(CliException.class, r::run);
    assertEquals(CliException.USAGE, e.exitCode());
    return e.getMessage();
  }

  @Test
  void eachArgumentIsOneWorksData() {
    List<JsonNode> items = input.fromArgs(List.of("{\"x\":1}", "{\"y\":2}", "42"));
    assertEquals(List.of("{\"x\":1}", "{\"y\":2}", "42"), items.stream().map(JsonNode::toString).toList());
  }

  @Test
  void aBadArgumentIsNamedByPosition() {
    String m = error(() -> input.fromArgs(List.of("{\"x\":1}", "{x:2}")));
    assertTrue(m.startsWith("argument 2 is not valid work data: malformed JSON"), m);
  }

  @Test
  void oneObjectIsOneWork() {
    assertEquals(1, read("{\n  \"x\": 1,\n  \"y\": [1, 2]\n}\n").size());
  }

  @Test
  void anArrayGivesOneWorkPerElement() {
    List<JsonNode> items = read("[{\"a\":1}, {\"a\":2}, {\"a\":3}]");
    assertEquals(3, items.size());
    assertEquals(2, items.get(1).get("a").asInt());
  }

  @Test
  void jsonLinesGiveOneWorkPerLine() {
    List<JsonNode> items = read("{\"a\":1}\n{\"a\":2}\n\n[1,2]\n");
    assertEquals(3, items.size());
    assertTrue(items.get(2).isArray(), "an array among other values is one work's data");
  }

  @Test
  void badJsonNamesTheLine() {
    String m = error(() -> read("{\"a\":1}\n{\"a\":2}\n{\"a\" 3}\n"));
    assertTrue(m.startsWith("work.json line 3, column "), m);
    assertTrue(m.contains("not valid JSON"), m);
  }

  @Test
  void aJsonLineShortOfItsEndIsNamedNotTheLineAfterIt() {
    String m = error(() -> read("{\"a\":1}\n{\"a\":2\n{\"a\":3}\n"));
    assertTrue(m.startsWith("work.json line 2: not valid JSON: its value does not end on that line (at line 3, column 1: "),
        m);
    String last = error(() -> read("{\"a\":1}\n{\"a\":[2\n"));
    assertTrue(last.startsWith("work.json line 2: not valid JSON: its value does not end on that line"), last);
  }

  @Test
  void anErrorInsideAValueOfSeveralLinesIsNamedWhereItIs() {
    String m = error(() -> read("{\n  \"a\": 1,\n  \"b\" 2\n}\n"));
    assertTrue(m.startsWith("work.json line 3, column 7: not valid JSON"), m);
    String closer = error(() -> read("{\"a\":1}\n\n]\n"));
    assertTrue(closer.startsWith("work.json line 3, column 1: not valid JSON"), closer);
  }

  @Test
  void emptyInputIsRefused() {
    assertTrue(error(() -> read("  \n")).contains("holds no JSON"));
    assertEquals("work.json holds an empty array: no work to submit", error(() -> read(" [ ]\n")));
  }

  @Test
  void anItemOverTheSizeLimitIsNamed() {
    String big = "[" + String.join(",", java.util.Collections.nCopies(300, "\"xxxxxxxxxx\"")) + "]";
    String m = error(() -> read("{\"a\":1}\n{\"a\":" + big + "}\n"));
    assertTrue(m.startsWith("work.json item 2 (line 2) is "), m);
    assertTrue(m.contains("over the limit of 2048"), m);
  }

  @Test
  void aStringOverTheSizeLimitIsNamedByItsItem() {
    String m = error(() -> read("{\"a\":1}\n{\"a\":\"" + "x".repeat(3000) + "\"}\n"));
    assertTrue(m.startsWith("work.json item 2 (line 2): too large to submit: String value length"), m);
    assertFalse(m.contains("StreamReadConstraints"), m);
  }
}
