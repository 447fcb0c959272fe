package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The streaming codec against the tree-model codec it replaced ({@link TreeModelWireCodec}): the same
 * bytes for every envelope and tree, and the same value or the same error (kind and message) for every
 * input, valid or broken.
 */
class WireCodecEquivalenceTest {
  private static final int ROUNDS = 2000;
  private static final int MUTATION_ROUNDS = 800;
  private final WireCodec codec = WireCodec.defaults();
  private final TreeModelWireCodec oracle = TreeModelWireCodec.defaults();
  private final RandomWire gen = new RandomWire(20261128L);

  @Test
  void encodingWritesTheSameBytesAsTheTreeModel() {
    for (int i = 0; i < ROUNDS; i++) {
      WorkEnvelope w = gen.work();
      assertArrayEquals(oracle.encode(w), codec.encode(w), () -> "work " + w);
      ResultEnvelope r = gen.result();
      assertArrayEquals(oracle.encode(r), codec.encode(r), () -> "result " + r);
      assertArrayEquals(codec.write(codec.toJson(r)), codec.encode(r), () -> "result tree " + r);
      Event e = gen.event();
      assertArrayEquals(oracle.encode(e), codec.encode(e), () -> "event " + e);
      assertArrayEquals(codec.write(codec.toJson(e)), codec.encode(e), () -> "event tree " + e);
      JsonNode tree = gen.tree(4);
      assertArrayEquals(oracle.write(tree), codec.write(tree), () -> "tree " + tree);
    }
  }

  @Test
  void decodingAgreesWithTheTreeModelOnEnvelopesAndTheirMutations() {
    Random random = gen.random();
    for (int i = 0; i < MUTATION_ROUNDS; i++) {
      List<String> inputs = new ArrayList<>();
      for (byte[] b : List.of(oracle.encode(gen.work()), oracle.encode(gen.result()), oracle.encode(gen.event()))) {
        String json = new String(b, StandardCharsets.UTF_8);
        inputs.add(json);
        inputs.add(mutateText(json, random));
        inputs.add(mutateText(mutateText(json, random), random));
        inputs.add(mutateFields(b, random));
      }
      for (String input : inputs) {
        assertSameDecoding(input.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void decodingAgreesWithTheTreeModelOnOddInputs() {
    String deep = "[".repeat(WireCodec.MAX_NESTING_DEPTH + 1) + "]".repeat(WireCodec.MAX_NESTING_DEPTH + 1);
    String work = "{\"workId\":\"a\",\"queue\":\"q\",\"attempt\":1,\"data\":%s,"
        + "\"createdAt\":\"2026-11-28T10:00:00Z\",\"deadline\":\"2026-11-28T10:00:30Z\"}";
    List<String> odd = new ArrayList<>(List.of("", " ", "\n\t ", "null", "[]", "[1,2]", "1", "-0", "\"s\"", "true",
        "{}", "{} {}", "{} x", "{}]", "{}}", "{} null", "{}   ", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":2}}",
        "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":\"\\x\"}",
        "\ufeff{}", deep, "{\"data\":" + deep + "}", "{\"schema\":{\"x\":[1,{\"y\":2}]}}", "/* c */ {}"));
    for (String data : List.of("null", "[]", "[1,\"x\",null]", "0", "-1.5e300", "1e400", "\"s\"", "true", "{}",
        "123456789012345678901234567890", "{\"n\":{\"m\":[{}]}}")) {
      odd.add(String.format(work, data));
    }
    for (String input : odd) {
      assertSameDecoding(input.getBytes(StandardCharsets.UTF_8));
    }
    assertSameDecoding(null);
    assertSameDecoding(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
    assertSameDecoding(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, '"', '}'});
    WireCodec small = new WireCodec(1024);
    TreeModelWireCodec smallOracle = new TreeModelWireCodec(1024);
    byte[] big = ("{\"pad\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertSame(smallOracle.decodeWork(big), small.decodeWork(big), "oversized");
    assertSame(smallOracle.parse(big), small.parse(big), "oversized");
  }

  private void assertSameDecoding(byte[] bytes) {
    String what = bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    assertSame(oracle.parse(bytes), codec.parse(bytes), what);
    assertSame(oracle.decodeWork(bytes), codec.decodeWork(bytes), what);
    assertSame(oracle.decodeResult(bytes), codec.decodeResult(bytes), what);
    assertSame(oracle.decodeEvent(bytes), codec.decodeEvent(bytes), what);
  }

  private static void assertSame(Decoded<?> expected, Decoded<?> actual, String input) {
    assertEquals(expected.isOk(), actual.isOk(), () -> input + "\n expected " + expected + "\n actual " + actual);
    if (expected.isOk()) {
      assertEquals(expected.value(), actual.value(), input);
    } else {
      assertEquals(expected.error(), actual.error(), input);
    }
  }

  private static final String[] PIECES = {"{", "}", "[", "]", "\"", ":", ",", " ", "0", "-", "1.5", "e", "null",
      "x", "\\", "\"a\":1", "true", "\u00e9"};

  private static String mutateText(String json, Random random) {
    if (json.isEmpty()) {
      return PIECES[random.nextInt(PIECES.length)];
    }
    int at = random.nextInt(json.length());
    return switch (random.nextInt(4)) {
      case 0 -> json.substring(0, at) + json.substring(at + 1);
      case 1 -> json.substring(0, at) + PIECES[random.nextInt(PIECES.length)] + json.substring(at);
      case 2 -> json.substring(0, at);
      default -> json + PIECES[random.nextInt(PIECES.length)];
    };
  }

  private static final String[] VALUES = {"null", "true", "false", "0", "1", "-1", "2147483648", "-7",
      "99999999999999999999", "1.0", "1e3", "\"x\"", "\"\"", "[]", "{}", "[1]", "{\"k\":null}", "\"completed\"",
      "\"add_work\"", "\"2026-11-28T10:00:00Z\"", "\"2026-11-28T10:00:00.5+01:00\"", "\"2026-02-29T10:00:00Z\"",
      "\"gowork.work/v1\"", "\"gowork.result/v1\"", "\"gowork.event/v1\"", "\"" + "i".repeat(201) + "\""};

  /** Reorders the fields, drops, retypes or adds one, or writes one twice. */
  private String mutateFields(byte[] encoded, Random random) {
    ObjectNode tree = (ObjectNode) oracle.parse(encoded).value();
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
    tree.properties().forEach(fields::add);
    Collections.shuffle(fields, random);
    Function<Map.Entry<String, JsonNode>, String> text = e -> "\"" + e.getKey() + "\":" + e.getValue();
    List<String> parts = new ArrayList<>(fields.stream().map(text).toList());
    int at = random.nextInt(parts.size());
    String name = fields.get(at).getKey();
    String value = VALUES[random.nextInt(VALUES.length)];
    switch (random.nextInt(5)) {
      case 0 -> parts.remove(at);
      case 1 -> parts.set(at, "\"" + name + "\":" + value);
      case 2 -> parts.add(random.nextInt(parts.size() + 1), "\"extra" + random.nextInt(3) + "\":" + value);
      case 3 -> parts.add(random.nextInt(parts.size() + 1), "\"" + name + "\":" + value);
      default -> { }
    }
    return "{" + String.join(",", parts) + "}";
  }
}
