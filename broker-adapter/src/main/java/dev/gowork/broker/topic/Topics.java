package dev.gowork.broker.topic;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.util.regex.Pattern;

/**
 * The topic layout (README, "How it fits together"), derived from one prefix ({@code gowork} by default).
 *
 * <pre>{@code
 * Topics t = Topics.of("gowork");
 * t.work("emails");   // gowork.work.emails
 * t.results();        // gowork.results
 * t.events();         // gowork.events
 * }</pre>
 */
public record Topics(String prefix) {
  /** The default prefix. */
  public static final String DEFAULT_PREFIX = "gowork";
  /** The default queue name. */
  public static final String DEFAULT_QUEUE = "default";
  /** Longest queue name; keeps every derived name well under Kafka's 249 characters. */
  public static final int MAX_QUEUE_LENGTH = 100;

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_-]+");

  public Topics {
    if (prefix == null || prefix.isEmpty() || prefix.length() > 100 || !PREFIX.matcher(prefix).matches()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT,
          "topic prefix " + quote(prefix) + " is invalid: use 1-100 characters of A-Z a-z 0-9 _ - separated by single dots");
    }
  }

  public static Topics of(String prefix) {
    return new Topics(prefix);
  }

  /** Checks a queue name and returns it; a clear {@link GoWorkException} names what is wrong. */
  public static String validateQueue(String queue) {
    if (queue == null || queue.isEmpty()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "queue name must not be empty");
    }
    if (queue.length() > MAX_QUEUE_LENGTH || !QUEUE.matcher(queue).matches()) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "queue name " + quote(queue)
          + " is invalid: use 1-" + MAX_QUEUE_LENGTH + " characters of A-Z a-z 0-9 _ -");
    }
    return queue;
  }

  /** {@code <p>.work.<queue>}: work envelopes, consumed through {@link #shareGroup(String)}. */
  public String work(String queue) {
    return prefix + ".work." + validateQueue(queue);
  }

  /** {@code <p>.workers.<queue>}: the share group that the queue's workers join. */
  public String shareGroup(String queue) {
    return prefix + ".workers." + validateQueue(queue);
  }

  /** {@code <p>.results}: signed result envelopes, and the coordinator's own timeouts. */
  public String results() {
    return prefix + ".results";
  }

  /** {@code <p>.events}: one v1 event per lifecycle step, for analytics. */
  public String events() {
    return prefix + ".events";
  }

  /**
   * {@code <p>.control}: what the coordinator tells every worker replica, which each follows with no
   * group: cancelled work, keyed by work id ({@link dev.gowork.broker.wire.CancelNotice}), and revoked
   * sessions, keyed by worker id ({@link dev.gowork.broker.wire.RevokeNotice}).
   */
  public String control() {
    return prefix + ".control";
  }

  /**
   * {@code <p>.scheduled}: work added with a delay, keyed by work id, kept here (read by no worker)
   * until the coordinator publishes it to its queue when it is due (internal).
   */
  public String scheduled() {
    return prefix + ".scheduled";
  }

  /**
   * {@code <p>.schedules}: compacted schedules of repeating work, keyed {@code def:<name>} (the
   * definition) and {@code run:<name>} (its last run); every coordinator reads it whole (internal).
   */
  public String schedules() {
    return prefix + ".schedules";
  }

  /**
   * {@code <p>.queues}: compacted, keyed by queue name: whether the queue is paused
   * ({@link dev.gowork.broker.wire.QueueNotice}); every coordinator and worker replica reads it whole.
   */
  public String queues() {
    return prefix + ".queues";
  }

  /** {@code <p>.state}: compacted work state keyed by work id (internal). */
  public String state() {
    return prefix + ".state";
  }

  /** {@code <p>.sessions}: compacted worker sessions keyed by worker id (internal). */
  public String sessions() {
    return prefix + ".sessions";
  }

  /** The consumer group of coordinators reading {@link #results()}. */
  public String coordinatorGroup() {
    return prefix + ".coordinator";
  }

  /** The consumer group that feeds the coordinators' in-process handlers from {@link #events()}. */
  public String handlerGroup() {
    return prefix + ".handlers";
  }

  /** {@code dlq.<p>.work.<queue>}: records the broker dead-letters from the share group (KIP-1191). */
  public String deadLetter(String queue) {
    return "dlq." + work(queue);
  }

  /** The queue a work topic belongs to, or {@code null} when the name is not one of this prefix's work topics. */
  public String queueOf(String workTopic) {
    String head = prefix + ".work.";
    if (workTopic == null || !workTopic.startsWith(head)) {
      return null;
    }
    String queue = workTopic.substring(head.length());
    return QUEUE.matcher(queue).matches() ? queue : null;
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + (s.length() > 120 ? s.substring(0, 120) + "…" : s) + "'";
  }
}
