package dev.gowork.coordinator.queue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;

/**
 * Makes sure the topics exist and each queue's share group is configured (offset reset
 * {@code earliest}, lock, delivery limit) before anything is published to or consumed from it.
 * Each queue is prepared once per process; concurrent first uses of one queue wait for each other.
 * A queue is a topic with its partitions and a share group on the cluster, so their number is bounded
 * ({@code GOWORK_MAX_QUEUES}): a queue name taken from input must not create topics without end.
 */
public final class QueueTopics {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueueTopics.class);
  /** Partitions of {@code <p>.results}. */
  public static final int RESULT_PARTITIONS = 6;
  /** Partitions of {@code <p>.events}. */
  public static final int EVENT_PARTITIONS = 3;
  /** Partitions of the compacted {@code <p>.state}: as many as results, so a work id maps to the same partition. */
  public static final int STATE_PARTITIONS = RESULT_PARTITIONS;
  /**
   * The broker stamps each result with the time it was appended, so a result read late (a backlog
   * after a restart) is judged by when its worker wrote it, not by when it is read.
   */
  public static final java.util.Map<String, String> RESULTS_CONFIG = java.util.Map.of("message.timestamp.type",
      "LogAppendTime");
  /** Partitions of the compacted {@code <p>.sessions}. */
  public static final int SESSION_PARTITIONS = 3;
  /** Partitions of {@code <p>.control}: few records, and every worker reads them all. */
  public static final int CONTROL_PARTITIONS = 1;
  /** Partitions of the compacted {@code <p>.schedules}: few records, and every coordinator reads them all. */
  public static final int SCHEDULES_PARTITIONS = 1;
  /** Partitions of the compacted {@code <p>.queues}: a record per paused queue, read whole by every reader. */
  public static final int QUEUES_PARTITIONS = 1;
  /** Partitions of {@code <p>.scheduled}. */
  public static final int SCHEDULED_PARTITIONS = 3;
  /**
   * Work added with a delay is read back from {@code <p>.scheduled} for each publication, up to its
   * deadline: at most 7 days of delay plus 7 days of timeout.
   */
  static final java.util.Map<String, String> SCHEDULED_CONFIG = java.util.Map.of("retention.ms",
      String.valueOf(java.time.Duration.ofDays(15).toMillis()));
  /**
   * A cancel notice outlives the longest deadline it can concern (7 days from the add or a requeue),
   * whatever the broker's default retention, so a worker started later still learns of it.
   */
  static final java.util.Map<String, String> CONTROL_CONFIG = java.util.Map.of("retention.ms",
      String.valueOf(java.time.Duration.ofDays(8).toMillis()));

  private final Admin admin;
  private final TopicProvisioner provisioner;
  private final Topics topics;
  private final int workPartitions;
  private final int replicationFactor;
  private final ShareGroupSettings shareGroup;
  private final int maxQueues;
  private final Set<String> unlimited;
  private final Clock clock;
  /** The prefix's work topics as last listed, while no queue was created since; null when none. */
  private volatile Listing listing;
  private final java.util.concurrent.atomic.LongAdder refusals = new java.util.concurrent.atomic.LongAdder();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
  private final Set<String> ready = ConcurrentHashMap.newKeySet();

  /** The default of {@code GOWORK_MAX_QUEUES}. */
  public static final int DEFAULT_MAX_QUEUES = 1000;
  /**
   * How long a listing of the work topics that refused a queue refuses other new ones without listing
   * again: names from input must not cost an admin call each. A queue another coordinator created or
   * deleted meanwhile is judged on the cluster again after this.
   */
  public static final Duration LISTING_KEPT = Duration.ofSeconds(5);

  private record Listing(Set<String> workTopics, Instant at) {}

  /**
   * @param maxQueues at most this many work topics of the prefix; a new queue beyond them is refused
   * @param unlimited queues never refused by {@code maxQueues}: they are settings, not input (the
   *     default queue is always one of them)
   */
  public QueueTopics(Admin admin, Topics topics, int workPartitions, int replicationFactor,
      ShareGroupSettings shareGroup, int maxQueues, Set<String> unlimited, Clock clock) {
    this.admin = admin;
    this.provisioner = new TopicProvisioner(admin);
    this.topics = topics;
    this.workPartitions = workPartitions;
    this.replicationFactor = replicationFactor;
    this.shareGroup = shareGroup;
    this.maxQueues = maxQueues;
    this.unlimited = new TreeSet<>(unlimited);
    this.unlimited.add(Topics.DEFAULT_QUEUE);
    this.clock = clock;
  }

  /**
   * Creates the results, events, control and scheduled topics and the compacted state, sessions,
   * schedules and queues topics.
   *
   * @throws GoWorkException UNAVAILABLE when Kafka refuses or does not answer
   */
  public void ensureShared() {
    try {
      provisioner.ensureTopics(List.of(
          new TopicSpec(topics.results(), RESULT_PARTITIONS, replicationFactor, RESULTS_CONFIG),
          TopicSpec.of(topics.events(), EVENT_PARTITIONS, replicationFactor),
          TopicSpec.compacted(topics.state(), STATE_PARTITIONS, replicationFactor),
          TopicSpec.compacted(topics.sessions(), SESSION_PARTITIONS, replicationFactor),
          new TopicSpec(topics.control(), CONTROL_PARTITIONS, replicationFactor, CONTROL_CONFIG),
          new TopicSpec(topics.scheduled(), SCHEDULED_PARTITIONS, replicationFactor, SCHEDULED_CONFIG),
          TopicSpec.compacted(topics.schedules(), SCHEDULES_PARTITIONS, replicationFactor),
          TopicSpec.compacted(topics.queues(), QUEUES_PARTITIONS, replicationFactor)));
    } catch (KafkaException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not create the results, events, state, sessions, control,"
          + " scheduled, schedules and queues topics: "
          + e.getMessage(), e);
    }
    stampResultsOnAppend();
  }

  /**
   * Sets {@link #RESULTS_CONFIG} on a results topic that an older version created without it; where
   * the coordinator may not alter topic configs, says how to do it by hand and goes on.
   */
  private void stampResultsOnAppend() {
    var resource = new org.apache.kafka.common.config.ConfigResource(
        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topics.results());
    var ops = RESULTS_CONFIG.entrySet().stream().map(e -> new org.apache.kafka.clients.admin.AlterConfigOp(
        new org.apache.kafka.clients.admin.ConfigEntry(e.getKey(), e.getValue()),
        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)).toList();
    try {
      admin.incrementalAlterConfigs(java.util.Map.of(resource, ops)).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
      LOG.warn("could not set message.timestamp.type=LogAppendTime on {} ({}); results read late, e.g. after an outage"
          + " longer than 5 minutes, are then judged by when they are read. Set it by hand: kafka-configs.sh --alter"
          + " --entity-type topics --entity-name {} --add-config message.timestamp.type=LogAppendTime",
          topics.results(), e.toString(), topics.results());
    }
  }

  /**
   * How many partitions {@code <p>.results} has, after checking that {@code <p>.state} has as many
   * (work ids must land on the same partition of both for coordinators to split the work by them).
   *
   * @throws GoWorkException INVALID_ARGUMENT when the counts differ, UNAVAILABLE when Kafka does not answer
   */
  public int resultPartitions() {
    try {
      var described = admin.describeTopics(List.of(topics.results(), topics.state())).allTopicNames()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      int results = described.get(topics.results()).partitions().size();
      int state = described.get(topics.state()).partitions().size();
      if (results != state) {
        throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, topics.results() + " has " + results + " partitions but "
            + topics.state() + " has " + state + "; they must have the same number");
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while describing " + topics.results(), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not describe " + topics.results() + " and "
          + topics.state() + ": " + e, e);
    }
  }

  /**
   * Creates {@code <p>.work.<queue>} and configures {@code <p>.workers.<queue>}, once.
   *
   * @throws GoWorkException INVALID_ARGUMENT for a bad queue name, CONFLICT when it would be a new queue
   *     past {@code maxQueues} (never for the default queue nor the other {@code unlimited} ones),
   *     UNAVAILABLE when Kafka refuses
   */
  public void ensure(String queue) {
    if (ready.contains(queue)) {
      return;
    }
    String topic = topics.work(queue);
    Object lock = locks.computeIfAbsent(queue, q -> new Object());
    try {
      synchronized (lock) {
        if (ready.contains(queue)) {
          return;
        }
        try {
          if (!unlimited.contains(queue)) {
            checkRoomFor(queue, topic);
          }
          provisioner.ensureTopics(List.of(TopicSpec.of(topic, workPartitions, replicationFactor)));
          listing = null; // may have one more topic now
          provisioner.configureShareGroup(topics.shareGroup(queue), shareGroup);
        } catch (KafkaException e) {
          throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not prepare queue '" + queue + "': "
              + e.getMessage(), e);
        }
        ready.add(queue);
      }
    } finally {
      // Not kept for a queue refused (names from input, past the limit, would fill the map without end)
      // nor for one prepared (ready answers from then on).
      locks.remove(queue, lock);
    }
  }

  /** Queues being prepared at this moment (tests). */
  int preparing() {
    return locks.size();
  }

  /**
   * Refuses a queue whose topic does not exist yet when the prefix has {@code maxQueues} work topics
   * already (counted from the cluster, so every coordinator of the prefix counts the same; two of them
   * creating new queues at the same moment may pass it by one each). A listing at the limit is kept
   * {@link #LISTING_KEPT} to refuse other new queues without listing again.
   */
  private void checkRoomFor(String queue, String topic) {
    Listing kept = listing;
    Instant now = clock.instant();
    if (kept != null && !now.isBefore(kept.at()) && now.isBefore(kept.at().plus(LISTING_KEPT))
        && !kept.workTopics().contains(topic) && kept.workTopics().size() >= maxQueues) {
      throw refused(queue, kept.workTopics().size());
    }
    Set<String> workTopics = listWorkTopics(queue);
    if (workTopics.contains(topic)) {
      return;
    }
    if (workTopics.size() >= maxQueues) {
      listing = new Listing(workTopics, now);
      throw refused(queue, workTopics.size());
    }
  }

  private Set<String> listWorkTopics(String queue) {
    try {
      Set<String> names = admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
      return Set.copyOf(names.stream().filter(n -> topics.queueOf(n) != null).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while listing the topics", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not list the topics to prepare queue '" + queue + "': "
          + e, e);
    }
  }

  private GoWorkException refused(String queue, int existing) {
    refusals.increment();
    return new GoWorkException(ErrorCode.CONFLICT, "queue '" + queue + "' would be a new queue past GOWORK_MAX_QUEUES="
        + maxQueues + " (work topics " + topics.prefix() + ".work.* on the cluster: " + existing + "): use an"
        + " existing queue, or raise the limit");
  }

  /** Queues refused by {@code maxQueues} since this started, each request counted. */
  public long refusals() {
    return refusals.sum();
  }

  /** The queues prepared so far, sorted. */
  public Set<String> queues() {
    return new TreeSet<>(ready);
  }
}
