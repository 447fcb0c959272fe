package dev.gowork.coordinator.work;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming state record codec against the tree-model one it replaced ({@link TreeModelWorkStateCodec}):
 * the same bytes for every record, the same record or the same problem for every input.
 */
class WorkStateCodecEquivalenceTest {
  private static final List<String> RESULTS = List.of("{\"ok\":true}", "null", "[]", "{}", "1", "-0", "-0.0", "1.0",
      "1e2", "1E400", "-1.5e-300", "0.1", "12345678901234567890123", "9223372036854775807", "\"\\u0041\\n\\u00e9\"",
      "\"h\u00e9llo \ud83d\ude00\"", " { \"a\" : [ 1 , 2.50 , true , null ] , \"b\" : { } } ", "\"</script>\"",
      "{\"a\":1,\"a\":2}", "{", "", " ", "{} {}", "{}x", "[1,]", "nul", "\"\\x\"", "[".repeat(70) + "]".repeat(70),
      "{\"pad\":\"" + "x".repeat(5000) + "\"}");
  private static final String[] STATES = {"queued", "running", "completed", "failed", "retry_wait", "timed_out",
      "dead", "sleeping", "COMPLETED"};
  private static final String[] VALUES = {"null", "true", "false", "0", "1", "-1", "2147483648", "4294967297",
      "99999999999999999999", "1.5", "\"1\"", "\"true\"", "\"\"", "\"w1\"", "[]", "{}", "{\"x\":1}"};
  private final WireCodec codec = new WireCodec(16 * 1024);
  private final WorkStateCodec records = new WorkStateCodec(codec);
  private final TreeModelWorkStateCodec oracle = new TreeModelWorkStateCodec(codec);
  private final Random random = new Random(42);

  private WorkRecord record() {
    WorkRecord r = new WorkRecord(random.nextBoolean() ? "w1" : "w-\u00e9\"1", "default", random.nextLong(),
        random.nextLong(), 1 + random.nextInt(3600), 1 + random.nextInt(5), 1 + random.nextInt(5));
    r.state = WorkState.values()[random.nextInt(WorkState.values().length)];
    r.updatedAt = random.nextLong();
    r.workerId = random.nextBoolean() ? null : "w-0123456789abcdef";
    r.partition = random.nextInt(7) - 1;
    r.offset = random.nextLong();
    r.republishPending = random.nextBoolean();
    r.outcome = switch (random.nextInt(4)) {
      case 0 -> null;
      case 1 -> "boom \"quoted\" \u00e9";
      default -> RESULTS.get(random.nextInt(RESULTS.size())).getBytes(StandardCharsets.UTF_8);
    };
    return r;
  }

  @Test
  void encodingWritesTheSameBytesAsTheTreeModel() {
    for (int i = 0; i < 3000; i++) {
      WorkRecord r = record();
      assertArrayEquals(oracle.encode(r), records.encode(r), () -> describe(r));
    }
  }

  @Test
  void decodingAgreesWithTheTreeModel() {
    for (int i = 0; i < 1500; i++) {
      String json = new String(oracle.encode(record()), StandardCharsets.UTF_8);
      for (String input : List.of(json, mutate(json), mutate(mutate(json)))) {
        assertSameDecoding(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    for (String odd : List.of("", "null", "[]", "1", "\"v\"", "{}", "{\"v\":1}", "{\"v\":\"1\"}", "{\"v\":true}",
        "{\"v\":1.9}", "{\"v\":4294967297}", "{\"v\":[1]}", "{\"v\":1} {}", "{\"v\":1,\"v\":1}")) {
      assertSameDecoding(odd.getBytes(StandardCharsets.UTF_8));
    }
    assertSameDecoding(null);
  }

  private void assertSameDecoding(byte[] bytes) {
    String[] expectedProblem = new String[1];
    String[] actualProblem = new String[1];
    WorkRecord expected = oracle.decode("w1", bytes, expectedProblem);
    WorkRecord actual = records.decode("w1", bytes, actualProblem);
    String input = bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    assertEquals(expectedProblem[0], actualProblem[0], input);
    assertEquals(describe(expected), describe(actual), input);
  }

  /** Replaces a value, adds an unknown or duplicate field, reorders, or breaks the text. */
  private String mutate(String json) {
    if (json.length() < 2) {
      return json + "}";
    }
    String[] parts = json.substring(1, json.length() - 1).split(",(?=\")");
    List<String> fields = new java.util.ArrayList<>(Arrays.asList(parts));
    int at = random.nextInt(fields.size());
    int colon = fields.get(at).indexOf(':');
    String name = colon < 0 ? "\"v\"" : fields.get(at).substring(0, colon);
    String value = random.nextInt(4) == 0 ? "\"" + STATES[random.nextInt(STATES.length)] + "\""
        : VALUES[random.nextInt(VALUES.length)];
    switch (random.nextInt(6)) {
      case 0 -> fields.set(at, name + ":" + value);
      case 1 -> fields.remove(at);
      case 2 -> fields.add(random.nextInt(fields.size() + 1), "\"x" + random.nextInt(2) + "\":" + value);
      case 3 -> fields.add(random.nextInt(fields.size() + 1), name + ":" + value);
      case 4 -> java.util.Collections.shuffle(fields, random);
      default -> {
        String text = "{" + String.join(",", fields) + "}";
        int cut = random.nextInt(text.length());
        return text.substring(0, cut) + "]{\":,1 ".charAt(random.nextInt(7)) + text.substring(cut + 1);
      }
    }
    return "{" + String.join(",", fields) + "}";
  }

  private static String describe(WorkRecord r) {
    if (r == null) {
      return "null";
    }
    Object outcome = r.outcome instanceof byte[] b ? "bytes " + new String(b, StandardCharsets.UTF_8) : r.outcome;
    return String.join("|", r.workId, r.queue, r.state.name(), "" + r.attempt, "" + r.maxAttempts,
        "" + r.timeoutSeconds, "" + r.createdAt, "" + r.updatedAt, "" + r.deadline, "" + r.workerId,
        "" + r.partition, "" + r.offset, "" + r.republishPending, "" + outcome);
  }
}
