package dev.gowork.coordinator.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.wire.WireCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The records of {@code <p>.schedules}, a compacted topic every coordinator reads whole: key
 * {@code def:<name>}, a definition ({@code gowork.schedule/v1}); key {@code run:<name>}, its last run
 * ({@code gowork.schedule-run/v1}); a null value forgets the key. Two keys, so that the run a
 * coordinator records never overwrites a definition another one changed meanwhile.
 */
final class ScheduleRecords {
  static final String DEFINITION_SCHEMA = "gowork.schedule/v1";
  static final String RUN_SCHEMA = "gowork.schedule-run/v1";
  static final String DEFINITION = "def:";
  static final String RUN = "run:";
  private static final WireCodec CODEC = WireCodec.defaults();

  private ScheduleRecords() {}

  /** A definition read back, or a run; whichever the key says. */
  record Definition(Schedule schedule, Instant definedAt) {}

  record Run(String name, Instant at, String workId) {}

  static byte[] definition(Schedule s, Instant definedAt) {
    ObjectNode n = CODEC.mapper().createObjectNode();
    n.put("schema", DEFINITION_SCHEMA);
    n.put("name", s.name());
    s.cron().ifPresent(c -> n.put("cron", c));
    s.every().ifPresent(d -> n.put("everySeconds", d.getSeconds()));
    n.put("zone", s.zone().getId());
    n.put("queue", s.queue());
    n.set("data", s.data());
    n.put("timeoutSeconds", s.timeoutSeconds());
    n.put("maxAttempts", s.maxAttempts());
    n.put("definedAt", definedAt.toString());
    return CODEC.write(n);
  }

  static byte[] run(String name, Instant at, String workId) {
    ObjectNode n = CODEC.mapper().createObjectNode();
    n.put("schema", RUN_SCHEMA);
    n.put("name", name);
    n.put("at", at.toString());
    n.put("workId", workId);
    return CODEC.write(n);
  }

  /** @throws IllegalArgumentException naming what is wrong (a record of a newer schema, or damaged) */
  static Definition readDefinition(byte[] value) {
    JsonNode n = CODEC.parse(value).orThrow();
    schema(n, DEFINITION_SCHEMA);
    String name = text(n, "name");
    Object data = n.has("data") ? n.get("data") : null;
    long timeout = n.path("timeoutSeconds").asLong(-1);
    Schedule s = n.hasNonNull("cron")
        ? Schedule.cron(name, text(n, "cron"), data, timeout).withZone(Schedule.zone(text(n, "zone")))
        : Schedule.every(name, Duration.ofSeconds(n.path("everySeconds").asLong(-1)), data, timeout);
    s = s.withQueue(text(n, "queue")).withMaxAttempts(n.path("maxAttempts").asInt(-1));
    return new Definition(s, Instant.parse(text(n, "definedAt")));
  }

  /** @throws IllegalArgumentException naming what is wrong */
  static Run readRun(byte[] value) {
    JsonNode n = CODEC.parse(value).orThrow();
    schema(n, RUN_SCHEMA);
    return new Run(text(n, "name"), Instant.parse(text(n, "at")), text(n, "workId"));
  }

  /** The schedule name of a key of this topic, or empty for a key of another kind. */
  static Optional<String> nameOf(String key, String prefix) {
    return key != null && key.startsWith(prefix) ? Optional.of(key.substring(prefix.length())) : Optional.empty();
  }

  private static void schema(JsonNode n, String expected) {
    if (!expected.equals(n.path("schema").asText())) {
      throw new IllegalArgumentException("schema is '" + n.path("schema").asText() + "', not " + expected);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a string");
    }
    return v.textValue();
  }
}
