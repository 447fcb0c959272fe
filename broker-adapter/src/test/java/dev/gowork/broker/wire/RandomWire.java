package dev.gowork.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/** Random envelopes and JSON trees, seeded, for the equivalence tests. */
final class RandomWire {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] TEXTS = {
      "", "a", "héllo", "naïve \u00e9\u00e8", "tab\there", "line\nbreak", "quote\"back\\slash", "\u0000\u001f",
      "emoji \ud83d\ude00", "</script>", "\u2028\u2029", "x".repeat(300)};
  private final Random random;

  RandomWire(long seed) {
    this.random = new Random(seed);
  }

  Random random() {
    return random;
  }

  String text() {
    return random.nextInt(3) == 0 ? UUID.randomUUID().toString() : TEXTS[random.nextInt(TEXTS.length)];
  }

  String textOrNull() {
    return random.nextInt(3) == 0 ? null : text();
  }

  /** Any instant, mostly near now, sometimes far in the past or future, with 0 to 9 fraction digits. */
  Instant instant() {
    long second = switch (random.nextInt(6)) {
      case 0 -> random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
      case 1 -> random.nextLong(-62_167_219_200L - 100_000, 253_402_300_799L + 100_000);
      default -> 1_767_225_600L + random.nextLong(-1_000_000_000L, 1_000_000_000L);
    };
    int nano = switch (random.nextInt(5)) {
      case 0 -> 0;
      case 1 -> random.nextInt(1000) * 1_000_000;
      case 2 -> random.nextInt(1_000_000) * 1_000;
      default -> random.nextInt(1_000_000_000);
    };
    return Instant.ofEpochSecond(second, nano);
  }

  /** A tree of the node types a parser makes, or (sometimes) others that only a program makes. */
  JsonNode tree(int depth) {
    int pick = random.nextInt(depth <= 0 ? 9 : 12);
    switch (pick) {
      case 0: return NODES.nullNode();
      case 1: return NODES.booleanNode(random.nextBoolean());
      case 2: return NODES.numberNode(random.nextInt());
      case 3: return NODES.numberNode(random.nextLong());
      case 4: return NODES.numberNode(switch (random.nextInt(4)) {
        case 0 -> random.nextDouble() * 1e6;
        case 1 -> Double.longBitsToDouble(random.nextLong());
        case 2 -> -0.0;
        default -> 1e300 * random.nextInt(10);
      });
      case 5: return NODES.numberNode(new BigInteger(100, random).negate());
      case 6: return NODES.textNode(text());
      case 7: return switch (random.nextInt(5)) {
        case 0 -> NODES.numberNode(1.5f);
        case 1 -> NODES.numberNode(new java.math.BigDecimal("12.50"));
        case 2 -> NODES.numberNode((short) 7);
        case 3 -> NODES.binaryNode(new byte[] {1, 2, 3});
        default -> NODES.pojoNode(java.util.List.of("p", 1));
      };
      case 8: return NODES.numberNode(random.nextInt(100));
      case 9:
      case 10: {
        ObjectNode o = NODES.objectNode();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          o.set(text() + i, tree(depth - 1));
        }
        return o;
      }
      default: {
        ArrayNode a = NODES.arrayNode();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          a.add(tree(depth - 1));
        }
        return a;
      }
    }
  }

  WorkEnvelope work() {
    Instant created = instant();
    return new WorkEnvelope(text(), text(), 1 + random.nextInt(5), 1 + random.nextInt(5),
        random.nextInt(3) == 0 ? random.nextLong(Long.MAX_VALUE) : random.nextInt(3600),
        random.nextInt(10) == 0 ? JsonNodeFactory.instance.nullNode() : tree(3), created, instant());
  }

  ResultEnvelope result() {
    ResultStatus[] statuses = ResultStatus.values();
    return new ResultEnvelope(text(), 1 + random.nextInt(5), statuses[random.nextInt(statuses.length)],
        random.nextInt(3) == 0 ? null : tree(3), textOrNull(), textOrNull(),
        random.nextInt(3) == 0 ? -1 : random.nextLong(Long.MAX_VALUE));
  }

  Event event() {
    EventType[] types = EventType.values();
    return new Event(text(), types[random.nextInt(types.length)], instant(), textOrNull(), textOrNull(),
        textOrNull(), textOrNull(), random.nextBoolean() ? null : random.nextInt(), random.nextBoolean() ? null : random.nextInt(),
        random.nextBoolean() ? null : random.nextLong(), textOrNull());
  }
}
