package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.TimestampWindow;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.auth.AuthSettings;
import dev.gowork.coordinator.events.HandlerTiming;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.ShareGroupSizes;
import dev.gowork.coordinator.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Settings of a {@link WorkServer}, each with a named default and checked by {@link #build()}; an
 * error names the setting and the bad value. Only {@link #secret} and {@link #kafka} are required.
 */
public final class WorkServerBuilder {
  SharedSecret secret;
  KafkaClients kafka;
  Topics topics = Topics.of(Topics.DEFAULT_PREFIX);
  Clock clock = Clock.systemUTC();
  LongSupplier nanoTime = System::nanoTime;
  AuthSettings auth = AuthSettings.defaults();
  TimestampWindow resultWindow = TimestampWindow.defaults();
  ShareGroupSettings shareGroup = ShareGroupSettings.defaults();
  Set<String> queues = new LinkedHashSet<>(List.of(Topics.DEFAULT_QUEUE));
  int workPartitions = 3;
  int replicationFactor = 1;
  Backoff backoff = Backoff.defaults();
  Duration getPollTimeout = Duration.ofMillis(200);
  Duration handoutIdle = Duration.ofSeconds(10);
  Duration sendTimeout = Duration.ofSeconds(30);
  Duration finishedRetention = Duration.ofHours(1);
  int finishedKept = 100_000;
  int maxQueues = QueueTopics.DEFAULT_MAX_QUEUES;
  Duration deadRetention = Duration.ofDays(7);
  int deadKept = 10_000;
  Duration tick = Duration.ofMillis(50);
  WireCodec codec = WireCodec.defaults();
  long replayMemory = 200_000;
  String instanceId = "0";
  Duration rebuildTimeout = Duration.ofMinutes(2);
  HandlerTiming handlerTiming = HandlerTiming.COMMIT;
  Duration commitInterval = Duration.ofMillis(5);
  Duration shareGroupCheck = ShareGroupSizes.DEFAULT_INTERVAL;
  byte[] operatorKey;

  WorkServerBuilder() {}

  /** The shared secret (at least 32 characters). Required. */
  public WorkServerBuilder secret(SharedSecret s) {
    secret = s;
    return this;
  }

  /**
   * The key that signs the operator requests one coordinator forwards to another (a cancel, requeue,
   * dead-letter delete or revoke of work or a worker another coordinator of the prefix owns): a secret
   * every coordinator of the prefix shares and workers do not hold, since anyone holding it can write
   * such requests. {@code gowork coordinator} uses its API token. Without one, those requests answer
   * CONFLICT off the owner (one coordinator alone owns everything and needs none). 16 to 4,096 characters.
   */
  public WorkServerBuilder operatorKey(String key) {
    if (key == null || key.length() < 16 || key.length() > 4096) {
      throw new IllegalArgumentException("the operator key must be 16 to 4096 characters");
    }
    operatorKey = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return this;
  }

  /** Client factories for the Kafka cluster. Required. */
  public WorkServerBuilder kafka(KafkaClients k) {
    kafka = k;
    return this;
  }

  /** The topic layout (default prefix {@code gowork}). */
  public WorkServerBuilder topics(Topics t) {
    topics = t;
    return this;
  }

  /** The clock every timeout, expiry and backoff decision uses (default UTC system clock). */
  public WorkServerBuilder clock(Clock c) {
    clock = c;
    return this;
  }

  /**
   * The monotonic time source that local durations are measured on (verify rate limits, forgetting ended
   * workers, a failed schedule run's retry, a failed republication's put-off, the progress rate limit),
   * instead of {@link System#nanoTime} (tests). Times that are shown, stored or shared with other
   * coordinators (deadlines, sessions, backoff from a record's time) stay on {@link #clock}.
   */
  WorkServerBuilder nanoTime(LongSupplier n) {
    nanoTime = n;
    return this;
  }

  /** How long a worker session lasts (default 1 h). */
  public WorkServerBuilder sessionTtl(Duration ttl) {
    auth = auth.withSessionTtl(ttl);
    return this;
  }

  /** All handshake limits at once (session and challenge lifetimes, failure rate limits). */
  public WorkServerBuilder auth(AuthSettings a) {
    auth = a;
    return this;
  }

  /** How old or how far ahead a result's signed timestamp may be (default 5 min / 30 s). */
  public WorkServerBuilder resultWindow(TimestampWindow w) {
    resultWindow = w;
    return this;
  }

  /** Applied to each queue's share group before first use (default lock 30 s, 5 deliveries, earliest). */
  public WorkServerBuilder shareGroupSettings(ShareGroupSettings s) {
    shareGroup = s;
    return this;
  }

  /** Queues whose topics {@link WorkServer#start()} prepares (default {@code default}); others are prepared on first use. */
  public WorkServerBuilder queues(String... names) {
    queues = new LinkedHashSet<>();
    for (String q : names) {
      queues.add(Topics.validateQueue(q));
    }
    return this;
  }

  /** Partitions of each new work topic (default 3). */
  public WorkServerBuilder workPartitions(int n) {
    workPartitions = n;
    return this;
  }

  /** Replication factor of new topics (default 1). */
  public WorkServerBuilder replicationFactor(int n) {
    replicationFactor = n;
    return this;
  }

  /** Wait before a failed attempt is retried (default base 1 s, cap 60 s, with jitter). */
  public WorkServerBuilder retryBackoff(Duration base, Duration cap) {
    backoff = new Backoff(base, cap);
    return this;
  }

  /**
   * How long a queue's hand-out consumer (for {@code get}, the HTTP workers' {@code work/next})
   * stays in the queue's share group after the last call (default 10 s). While it is a member it
   * holds a share of the queue's partitions, whose records then wait for HTTP calls.
   */
  public WorkServerBuilder handoutIdle(Duration d) {
    handoutIdle = d;
    return this;
  }

  /** How long {@code get} waits for a record (default 200 ms). */
  public WorkServerBuilder getPollTimeout(Duration d) {
    getPollTimeout = d;
    return this;
  }

  /** How long a publication may wait for Kafka's acknowledgement (default 30 s). */
  public WorkServerBuilder sendTimeout(Duration d) {
    sendTimeout = d;
    return this;
  }

  /** How long completed, failed and timed-out items stay queryable by {@code status} (default 1 h). */
  public WorkServerBuilder finishedRetention(Duration d) {
    finishedRetention = d;
    return this;
  }

  /**
   * How many of the last completed, failed and timed-out items stay queryable at most (default
   * 100,000; 0 keeps none): the coordinator's memory stays bounded whatever the throughput. Dead
   * letters do not count (see {@link #deadKept}).
   */
  public WorkServerBuilder finishedKept(int n) {
    finishedKept = n;
    return this;
  }

  /**
   * At most this many queues, i.e. work topics of the prefix (default 1,000; 1 to 100,000): adding work
   * to a further queue, or asking for work from one over HTTP, is refused ({@code CONFLICT}), since each
   * queue is a topic with its partitions and a share group on the cluster. The default queue and those of
   * {@link #queues} are never refused: they are settings, not input.
   */
  public WorkServerBuilder maxQueues(int n) {
    maxQueues = n;
    return this;
  }

  /**
   * How often the members of the queues' share groups and the brokers' {@code group.share.max.size} are
   * read for {@link WorkServer#shareGroups()} (default 15 s; 1 s to 1 h): one Admin call per interval,
   * never one per request.
   */
  public WorkServerBuilder shareGroupCheck(Duration d) {
    shareGroupCheck = d;
    return this;
  }

  /**
   * How long dead letters stay listed and requeueable (default 7 days, Kafka's default retention of
   * the work topics that hold their payloads); older ones are forgotten.
   */
  public WorkServerBuilder deadRetention(Duration d) {
    deadRetention = d;
    return this;
  }

  /**
   * How many of the last dead letters are kept at most (default 10,000; 0 keeps none); the oldest
   * beyond it are forgotten, so a flood of failing work cannot exhaust the coordinator's memory.
   */
  public WorkServerBuilder deadKept(int n) {
    deadKept = n;
    return this;
  }

  /** How often timeouts, retries and session expiry are checked (default 50 ms). */
  public WorkServerBuilder tick(Duration d) {
    tick = d;
    return this;
  }

  /**
   * This coordinator's instance id (default {@code 0}): its transactional id is
   * {@code <prefix>.coordinator-<instanceId>}. A replacement for a crashed coordinator must use the
   * same id, so that it fences the old one and aborts its open transaction. 1-64 of A-Z a-z 0-9 _ -.
   */
  public WorkServerBuilder instanceId(String id) {
    instanceId = id;
    return this;
  }

  /** How long {@code start()} may take to read the state topics back (default 2 min). */
  public WorkServerBuilder rebuildTimeout(Duration d) {
    rebuildTimeout = d;
    return this;
  }

  /**
   * When in-process handlers see this coordinator's events (default {@link HandlerTiming#COMMIT}):
   * {@link HandlerTiming#APPLY} runs them while the change's transaction is on the way, sooner by the
   * transaction's time, at the cost spelled out there.
   */
  public WorkServerBuilder runHandlersAt(HandlerTiming timing) {
    handlerTiming = java.util.Objects.requireNonNull(timing, "timing");
    return this;
  }

  /**
   * How often at most the coordinator starts a Kafka transaction (default 5 ms; 0: as soon as the
   * previous one ended). Under a steady load everything that changed meanwhile goes into one: fewer,
   * larger transactions cost the broker fewer requests. The first change after a quiet spell commits
   * at once; under load an add returns, and a handler at {@link HandlerTiming#COMMIT} runs, up to this
   * much later.
   */
  public WorkServerBuilder commitInterval(Duration d) {
    commitInterval = d;
    return this;
  }

  /** The wire codec, i.e. the record size limit (default 1 MiB). */
  public WorkServerBuilder codec(WireCodec c) {
    codec = c;
    return this;
  }

  /**
   * Checks every setting and creates the server (with its Kafka producer and admin client); call
   * {@link WorkServer#start()} next.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the first bad setting
   */
  public WorkServer build() {
    require(secret != null, "secret", "is required");
    require(kafka != null, "kafka", "is required");
    require(topics != null, "topics", "is required");
    require(clock != null, "clock", "is required");
    require(nanoTime != null, "nanoTime", "is required");
    require(auth != null, "auth", "is required");
    require(resultWindow != null && positive(resultWindow.maxAge()) && !resultWindow.maxSkew().isNegative(),
        "resultWindow", "needs a positive maxAge and a non-negative maxSkew, was " + resultWindow);
    require(shareGroup != null, "shareGroupSettings", "is required");
    require(workPartitions >= 1 && workPartitions <= 10_000, "workPartitions", "must be 1-10000, was " + workPartitions);
    require(replicationFactor >= 1 && replicationFactor <= 32, "replicationFactor",
        "must be 1-32, was " + replicationFactor);
    require(backoff != null, "retryBackoff", "is required");
    require(positive(handoutIdle), "handoutIdle", "must be positive, was " + handoutIdle);
    require(positive(getPollTimeout) && getPollTimeout.toSeconds() <= 30, "getPollTimeout",
        "must be positive and at most 30 s, was " + getPollTimeout);
    require(positive(sendTimeout), "sendTimeout", "must be positive, was " + sendTimeout);
    require(positive(finishedRetention), "finishedRetention", "must be positive, was " + finishedRetention);
    require(finishedKept >= 0, "finishedKept", "must be 0 or more, was " + finishedKept);
    require(maxQueues >= 1 && maxQueues <= 100_000, "maxQueues", "must be 1 to 100000, was " + maxQueues);
    require(positive(deadRetention), "deadRetention", "must be positive, was " + deadRetention);
    require(deadKept >= 0, "deadKept", "must be 0 or more, was " + deadKept);
    require(positive(tick) && tick.toSeconds() <= 10, "tick", "must be positive and at most 10 s, was " + tick);
    require(commitInterval != null && !commitInterval.isNegative() && commitInterval.toSeconds() <= 10,
        "commitInterval", "must be 0 to 10 s, was " + commitInterval);
    require(shareGroupCheck != null && shareGroupCheck.compareTo(Duration.ofSeconds(1)) >= 0
        && shareGroupCheck.compareTo(Duration.ofHours(1)) <= 0, "shareGroupCheck", "must be 1 s to 1 h, was " + shareGroupCheck);
    require(codec != null, "codec", "is required");
    require(instanceId != null && instanceId.matches("[A-Za-z0-9_-]{1,64}"), "instanceId",
        "must be 1-64 characters of A-Z a-z 0-9 _ -, was " + instanceId);
    require(positive(rebuildTimeout), "rebuildTimeout", "must be positive, was " + rebuildTimeout);
    return new WorkServer(this);
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String setting, String problem) {
    if (!ok) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "WorkServer setting '" + setting + "' " + problem);
    }
  }
}
