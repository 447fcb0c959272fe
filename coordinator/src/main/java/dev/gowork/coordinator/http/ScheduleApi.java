package dev.gowork.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.ScheduleStatus;
import java.time.Duration;
import java.util.List;

/**
 * Repeating work: {@code PUT /v1/schedules/{name}} defines or redefines one, {@code GET} lists them
 * or reads one, {@code DELETE} deletes one, {@code POST .../run} adds its work now.
 */
final class ScheduleApi {
  private static final long MAX_TIMEOUT_SECONDS = 604_800;
  private static final int MAX_ATTEMPTS = 100;
  private final WorkServer server;
  private final WireCodec codec;

  ScheduleApi(WorkServer server, WireCodec codec) {
    this.server = server;
    this.codec = codec;
  }

  List<Route> routes() {
    return List.of(
        new Route("GET", "/v1/schedules", Access.PRODUCER, codec, this::list),
        new Route("GET", "/v1/schedules/{name}", Access.PRODUCER, codec, this::get),
        new Route("PUT", "/v1/schedules/{name}", Access.PRODUCER, codec, this::define),
        new Route("DELETE", "/v1/schedules/{name}", Access.PRODUCER, codec, this::delete),
        new Route("POST", "/v1/schedules/{name}/run", Access.PRODUCER, codec, this::runNow));
  }

  /** {@code {"schedules": [schedule...]}}, by name. */
  private Answer list(Call call) {
    ObjectNode n = Views.object();
    ArrayNode list = n.putArray("schedules");
    server.schedules().forEach(s -> list.add(view(s)));
    return Answer.json(200, n);
  }

  private Answer get(Call call) {
    String name = call.param("name");
    return Answer.json(200, view(server.scheduleStatus(name).orElseThrow(() -> unknown(name))));
  }

  private Answer define(Call call) {
    return Answer.json(200, view(server.schedule(schedule(call.param("name"), call.json()))));
  }

  /** 202 {@code {"workId"}}: the schedule's work, added now (its own runs go on as before). */
  private Answer runNow(Call call) {
    ObjectNode n = Views.object();
    n.put("workId", server.runScheduleNow(call.param("name")));
    return Answer.json(202, n);
  }

  private Answer delete(Call call) {
    String name = call.param("name");
    if (!server.unschedule(name)) {
      throw unknown(name);
    }
    ObjectNode n = Views.object();
    n.put("name", name);
    n.put("deleted", true);
    return Answer.json(200, n);
  }

  /**
   * Reads {@code {"cron", "zone"?} or {"everySeconds"}, "data", "timeoutSeconds", "queue"?, "maxAttempts"?}}.
   *
   * @throws GoWorkException MALFORMED or INVALID_ARGUMENT naming the field
   */
  static Schedule schedule(String name, JsonNode n) {
    if (!n.isObject()) {
      throw new GoWorkException(ErrorCode.MALFORMED, "a schedule must be a JSON object {\"cron\" or \"everySeconds\","
          + " \"data\", \"timeoutSeconds\"}");
    }
    if (n.hasNonNull("cron") == n.hasNonNull("everySeconds")) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a schedule needs exactly one of 'cron' (an expression"
          + " such as \"0 2 * * *\") and 'everySeconds'");
    }
    if (n.has("delaySeconds")) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'delaySeconds' is not for schedules: a run's work is"
          + " queued at its run time");
    }
    if (!n.has("data")) {
      throw new GoWorkException(ErrorCode.MALFORMED, "missing field 'data'");
    }
    long timeout = WorkRequests.integer(n, "timeoutSeconds", "", true, 1, MAX_TIMEOUT_SECONDS, "seconds (at most 7 days)");
    Schedule s;
    if (n.hasNonNull("cron")) {
      s = Schedule.cron(name, text(n, "cron"), n.get("data"), timeout);
      if (n.hasNonNull("zone")) {
        s = s.withZone(Schedule.zone(text(n, "zone")));
      }
    } else {
      if (n.hasNonNull("zone")) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'zone' is for cron schedules only");
      }
      long every = WorkRequests.integer(n, "everySeconds", "", true, 1, Schedule.MAX_EVERY_SECONDS,
          "seconds (at most 31 days)");
      s = Schedule.every(name, Duration.ofSeconds(every), n.get("data"), timeout);
    }
    if (n.hasNonNull("queue")) {
      s = s.withQueue(text(n, "queue"));
    }
    if (n.hasNonNull("maxAttempts")) {
      s = s.withMaxAttempts((int) WorkRequests.integer(n, "maxAttempts", "", false, 1, MAX_ATTEMPTS, "attempts"));
    }
    return s;
  }

  /**
   * {@code {"name", "cron" and "zone", or "everySeconds", "queue", "data", "timeoutSeconds", "maxAttempts",
   * "definedAt", "lastRunAt", "lastWorkId", "nextRunAt"}}.
   */
  static ObjectNode view(ScheduleStatus st) {
    Schedule s = st.schedule();
    ObjectNode n = Views.object();
    n.put("name", s.name());
    s.cron().ifPresent(c -> {
      n.put("cron", c);
      n.put("zone", s.zone().getId());
    });
    s.every().ifPresent(d -> n.put("everySeconds", d.getSeconds()));
    n.put("queue", s.queue());
    n.set("data", s.data());
    n.put("timeoutSeconds", s.timeoutSeconds());
    n.put("maxAttempts", s.maxAttempts());
    Views.time(n, "definedAt", st.definedAt());
    Views.time(n, "lastRunAt", st.lastRunAt());
    n.put("lastWorkId", st.lastWorkId());
    Views.time(n, "nextRunAt", st.nextRunAt());
    return n;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (!v.isTextual()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' must be a string");
    }
    return v.textValue();
  }

  private static GoWorkException unknown(String name) {
    return new GoWorkException(ErrorCode.NOT_FOUND, "no schedule named '" + (name.length() > 100
        ? name.substring(0, 100) + "…" : name) + "'");
  }
}
