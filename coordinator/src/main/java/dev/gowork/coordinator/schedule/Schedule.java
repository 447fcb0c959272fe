package dev.gowork.coordinator.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Repeating work (Celery beat, Sidekiq-cron, BullMQ's repeatable jobs): a name, when it runs (a cron
 * expression in a time zone, or every N seconds) and the work each run adds. Immutable; the
 * {@code with…} methods return a copy.
 *
 * <pre>{@code
 * server.schedule(Schedule.cron("nightly-report", "0 2 * * *", Map.of("report", "sales"), 600)
 *     .withZone(ZoneId.of("Europe/Paris")).withQueue("reports"));
 * server.schedule(Schedule.every("sync", Duration.ofMinutes(5), null, 60));
 * }</pre>
 *
 * <p>A cron schedule runs at the times its expression names (5 fields: minute, hour, day of month,
 * month, day of week; or {@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly},
 * {@code @yearly}); an {@code every} schedule runs when the time since 1970-01-01T00:00Z is a multiple
 * of its interval, so every coordinator computes the same run times.
 */
public final class Schedule {
  /** Longest name. */
  public static final int MAX_NAME_LENGTH = 100;
  /**
   * Longest cron expression: parsing takes time in proportion to its length (about a minute for the
   * 1 MiB a request body may have), on the HTTP thread and again on every coordinator's follower.
   */
  public static final int MAX_CRON_LENGTH = 200;
  /** Longest interval of an {@code every} schedule: 31 days. */
  public static final long MAX_EVERY_SECONDS = 2_678_400;
  /** Largest work data of a schedule, as JSON: it is kept in every coordinator's memory. */
  public static final int MAX_DATA_BYTES = 64 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final long MAX_TIMEOUT_SECONDS = 604_800;
  private static final int MAX_ATTEMPTS = 100;
  private static final WireCodec CODEC = WireCodec.defaults();
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");

  private final String name;
  private final String cron;
  private final ExecutionTime times;
  private final ZoneId zone;
  private final long everySeconds;
  private final String queue;
  private final JsonNode data;
  private final long timeoutSeconds;
  private final int maxAttempts;

  private Schedule(String name, String cron, ExecutionTime times, ZoneId zone, long everySeconds, String queue,
      JsonNode data, long timeoutSeconds, int maxAttempts) {
    this.name = name;
    this.cron = cron;
    this.times = times;
    this.zone = zone;
    this.everySeconds = everySeconds;
    this.queue = queue;
    this.data = data;
    this.timeoutSeconds = timeoutSeconds;
    this.maxAttempts = maxAttempts;
  }

  /**
   * Work added at the times {@code expression} names, in UTC until {@link #withZone}.
   *
   * @param data anything Jackson can write as JSON, at most {@value #MAX_DATA_BYTES} bytes of it
   * @param timeoutSeconds each run's timeout, 1 to 604800 (7 days)
   * @param expression at most {@value #MAX_CRON_LENGTH} characters
   * @throws GoWorkException INVALID_ARGUMENT naming what is wrong: the name, the expression, the data or the timeout
   */
  public static Schedule cron(String name, String expression, Object data, long timeoutSeconds) {
    String text = Objects.requireNonNull(expression, "expression").strip();
    if (text.length() > MAX_CRON_LENGTH) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a cron expression may have at most " + MAX_CRON_LENGTH
          + " characters, has " + text.length());
    }
    String expanded = MACROS.getOrDefault(text.toLowerCase(java.util.Locale.ROOT), text);
    ExecutionTime times;
    try {
      times = ExecutionTime.forCron(CRON.parse(expanded).validate());
    } catch (IllegalArgumentException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'" + shown(text) + "' is not a cron expression of 5 fields"
          + " (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly/@yearly: "
          + e.getMessage());
    }
    return new Schedule(checkName(name), text, times, UTC, 0, Topics.DEFAULT_QUEUE, checkData(data),
        checkTimeout(timeoutSeconds), 1);
  }

  /**
   * Work added every {@code interval}, whole seconds from 1 s to 31 days.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming what is wrong
   */
  public static Schedule every(String name, Duration interval, Object data, long timeoutSeconds) {
    long s = Objects.requireNonNull(interval, "interval").getSeconds();
    if (interval.getNano() != 0 || s < 1 || s > MAX_EVERY_SECONDS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the interval must be whole seconds from 1 to "
          + MAX_EVERY_SECONDS + " (31 days), was " + interval);
    }
    return new Schedule(checkName(name), null, null, UTC, s, Topics.DEFAULT_QUEUE, checkData(data),
        checkTimeout(timeoutSeconds), 1);
  }

  /**
   * The time zone of a cron schedule's expression (e.g. {@code Europe/Paris}: "0 9 * * 1-5" then runs at
   * 9:00 there, summer and winter).
   *
   * @throws GoWorkException INVALID_ARGUMENT for an {@code every} schedule, which has no zone
   */
  public Schedule withZone(ZoneId z) {
    if (cron == null) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a time zone is for cron schedules only");
    }
    return new Schedule(name, cron, times, Objects.requireNonNull(z, "zone"), everySeconds, queue, data,
        timeoutSeconds, maxAttempts);
  }

  /** @throws GoWorkException INVALID_ARGUMENT for a bad queue name */
  public Schedule withQueue(String q) {
    return new Schedule(name, cron, times, zone, everySeconds, Topics.validateQueue(q), data, timeoutSeconds,
        maxAttempts);
  }

  /** Attempts each run's work may have. @throws GoWorkException INVALID_ARGUMENT unless 1 to 100 */
  public Schedule withMaxAttempts(int n) {
    if (n < 1 || n > MAX_ATTEMPTS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "maxAttempts must be 1-" + MAX_ATTEMPTS + ", was " + n);
    }
    return new Schedule(name, cron, times, zone, everySeconds, queue, data, timeoutSeconds, n);
  }

  /**
   * Reads a zone id such as {@code Europe/Paris} or {@code UTC}.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming it when it is not one
   */
  public static ZoneId zone(String id) {
    try {
      return ZoneId.of(Objects.requireNonNull(id, "zone").strip());
    } catch (DateTimeException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "'" + shown(id) + "' is not a time zone (e.g. UTC,"
          + " Europe/Paris, America/New_York)");
    }
  }

  public String name() {
    return name;
  }

  /** The cron expression as given, or empty for an {@code every} schedule. */
  public Optional<String> cron() {
    return Optional.ofNullable(cron);
  }

  /** The interval of an {@code every} schedule, or empty for a cron schedule. */
  public Optional<Duration> every() {
    return cron == null ? Optional.of(Duration.ofSeconds(everySeconds)) : Optional.empty();
  }

  /** The zone of the cron expression (UTC unless set). */
  public ZoneId zone() {
    return zone;
  }

  public String queue() {
    return queue;
  }

  public JsonNode data() {
    return data;
  }

  public long timeoutSeconds() {
    return timeoutSeconds;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** The first run time strictly after {@code t} (whole seconds); empty when there is none (e.g. "0 0 30 2 *"). */
  public Optional<Instant> nextRunAfter(Instant t) {
    if (cron == null) {
      long s = Math.floorDiv(t.getEpochSecond(), everySeconds) * everySeconds + everySeconds;
      return Optional.of(Instant.ofEpochSecond(s));
    }
    return times.nextExecution(t.atZone(zone)).map(ZonedDateTime::toInstant);
  }

  /** The last run time at or before {@code t}; empty when there is none. */
  public Optional<Instant> lastRunAtOrBefore(Instant t) {
    if (cron == null) {
      return Optional.of(Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), everySeconds) * everySeconds));
    }
    ZonedDateTime at = t.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
    if (at.getSecond() == 0 && times.isMatch(at)) {
      return Optional.of(at.toInstant());
    }
    return times.lastExecution(at).map(ZonedDateTime::toInstant);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s && name.equals(s.name) && Objects.equals(cron, s.cron) && zone.equals(s.zone)
        && everySeconds == s.everySeconds && queue.equals(s.queue) && data.equals(s.data)
        && timeoutSeconds == s.timeoutSeconds && maxAttempts == s.maxAttempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, cron, zone, everySeconds, queue, data, timeoutSeconds, maxAttempts);
  }

  @Override
  public String toString() {
    return "Schedule[" + name + " " + (cron != null ? "cron '" + cron + "' " + zone : "every " + everySeconds + "s")
        + " queue=" + queue + " timeout=" + timeoutSeconds + "s]";
  }

  private static String checkName(String name) {
    if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "a schedule name must be 1-" + MAX_NAME_LENGTH
          + " letters, digits, '.', '_' or '-', starting with a letter or digit, was '" + shown(name) + "'");
    }
    return name;
  }

  private static long checkTimeout(long seconds) {
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "timeoutSeconds must be 1-" + MAX_TIMEOUT_SECONDS
          + " (7 days), was " + seconds);
    }
    return seconds;
  }

  private static JsonNode checkData(Object value) {
    JsonNode n;
    try {
      n = value == null ? NullNode.instance : CODEC.mapper().valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the schedule's data does not serialize to JSON: "
          + e.getMessage(), e);
    }
    n = n == null ? NullNode.instance : n;
    int size = CODEC.write(n).length;
    if (size > MAX_DATA_BYTES) {
      throw new GoWorkException(ErrorCode.TOO_LARGE, "a schedule's data may have at most " + MAX_DATA_BYTES
          + " bytes of JSON, has " + size);
    }
    return n;
  }

  private static String shown(String s) {
    return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
