package dev.gowork.coordinator;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.WorkerRegistry;
import dev.gowork.coordinator.auth.Workers;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.events.EventHandler;
import dev.gowork.coordinator.events.HandlerFeed;
import dev.gowork.coordinator.queue.CountShareGroups;
import dev.gowork.coordinator.queue.EnvelopeReader;
import dev.gowork.coordinator.queue.GroupSize;
import dev.gowork.coordinator.queue.QueuePauses;
import dev.gowork.coordinator.queue.QueueTopics;
import dev.gowork.coordinator.queue.ShareGroupSizes;
import dev.gowork.coordinator.queue.TakeNextWork;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.results.ConsumeResults;
import dev.gowork.coordinator.results.HandoutSeal;
import dev.gowork.coordinator.results.ResultPipeline;
import dev.gowork.coordinator.retry.RepublishRetries;
import dev.gowork.coordinator.retry.Republisher;
import dev.gowork.coordinator.retry.RetryPlan;
import dev.gowork.coordinator.schedule.Schedule;
import dev.gowork.coordinator.schedule.ScheduleStatus;
import dev.gowork.coordinator.schedule.Schedules;
import dev.gowork.coordinator.state.CommitChanges;
import dev.gowork.coordinator.state.InstanceTakeover;
import dev.gowork.coordinator.state.Journal;
import dev.gowork.coordinator.state.TransactionalWriter;
import dev.gowork.coordinator.timeout.ExpireTimedOutWork;
import dev.gowork.coordinator.timeout.TimeoutTracker;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.QueueLoad;
import dev.gowork.coordinator.work.WorkState;
import dev.gowork.coordinator.work.Progress;
import dev.gowork.coordinator.work.WorkStatus;
import dev.gowork.coordinator.work.WorkTable;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work server, the seed's {@code gowork.Server} on Kafka: registers and authenticates workers,
 * publishes work to {@code <p>.work.<queue>} for share-group workers, consumes their signed results,
 * times work out, retries failures and fires events to handlers and to {@code <p>.events}.
 *
 * <pre>{@code
 * try (WorkServer ws = WorkServer.builder()
 *     .secret(SharedSecret.fromEnv(System.getenv()))
 *     .kafka(new KafkaClients("127.0.0.1:9092", Map.of()))
 *     .build()) {
 *   ws.addParams(Map.of("db", db));
 *   ws.newHandler("work_complete", (e, params) -> ((Db) params.get("db")).done(e.workId()));
 *   ws.start();
 *   ws.add(ws.createWork(Map.of("n", 42), 60));
 * }
 * }</pre>
 *
 * Thread-safe. Handlers run on one dispatch thread, in event order, never on a Kafka thread, once
 * their event is committed to {@code <p>.events}: they are fed from that topic by the consumer group
 * {@code <p>.handlers}, whose offsets are committed after the handlers returned, so each event
 * reaches them once in normal operation and at least once across a coordinator crash (use the work
 * id as the idempotency key).
 *
 * <p>Durability (docs/reliability.md): every work state change and session is also written to the
 * compacted {@code <p>.state} and {@code <p>.sessions} topics, in the same Kafka transaction as the
 * events it fires and the offsets of the results that caused it. {@link #start()} rebuilds from
 * those topics, so a restarted coordinator carries on where the last committed transaction left off.
 * Events on {@code <p>.events} are transactional: analytics consumers should read them with
 * {@code isolation.level=read_committed}, and then see one terminal event per work id.
 *
 * <p>Its threads are daemons: it runs while something else keeps the JVM alive (your service, or a
 * main thread waiting for shutdown), and {@link #close()} stops it cleanly.
 *
 * <p>(The seed server's whole public API, each method with its javadoc, over the package-private parts
 * it wires together and starts: {@code Intake}, {@code Handout}, {@code Submissions}, {@code QueueAdmin},
 * {@code DeadLetters}, {@code ScheduleChanges}, {@code FinishWaiters}, {@code ForwardToOwner}, and the
 * tasks {@code ConsumeResults}, {@code CommitChanges}, {@code ExpireTimedOutWork}, {@code RepublishRetries},
 * {@code HandlerFeed}.)
 */
public final class WorkServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkServer.class);
  /** The results consumer's {@code fetch.max.wait.ms}: how long the broker holds a fetch while no result comes. */
  private static final int RESULTS_FETCH_WAIT_MS = 500;
  /** How long a result for unknown work or an unknown worker waits for other coordinators' state. */
  private static final Duration CATCH_UP = Duration.ofSeconds(2);
  private static final Duration CATCH_UP_ON_ASSIGNMENT = Duration.ofSeconds(30);
  /** How long {@link #close()} waits for hand-outs past their take to give their records back. */
  private static final Duration HANDOUTS_GIVING_BACK = Duration.ofSeconds(5);
  private final Topics topics;
  private final Clock clock;
  /** Local durations (rate limits, put-offs, retries of a failed schedule run) are measured on it. */
  private final java.util.function.LongSupplier nanoTime;
  private final Duration handoutIdle;
  /** How long {@link #close()} waits for hand-outs under way: one take (its lock, its poll, a 5 s commit). */
  private final Duration handoutsEnding;
  private final Duration commitInterval;
  private final Duration tick;
  private final KafkaClients kafka;
  private final List<String> initialQueues;
  private final Producer<String, byte[]> producer;
  private final Admin admin;
  private final EventDispatcher events;
  private final WorkTable table;
  private final WorkerRegistry workers;
  private final TimeoutTracker timeouts = new TimeoutTracker();
  private final RetryPlan retries = new RetryPlan();
  private final QueueTopics queues;
  private final ShareGroupSizes shareGroupSizes;
  private final TakeNextWork taker;
  private final EnvelopeReader reader;
  private final Republisher republisher;
  private final ResultPipeline pipeline;
  private final Intake intake;
  private final Handout handout;
  private final BackgroundTasks tasks = new BackgroundTasks();
  private final Journal journal;
  private final TransactionalWriter writer;
  private final AbortHangingTransactions hanging;
  private final FenceAbandonedTransactions fenceAbandoned;
  private final Duration rebuildTimeout;
  private final String txId;
  private final HandlerFeed handlerFeed;
  private final InstanceTakeover takeover;
  private final Ownership ownership = Ownership.byPartition(QueueTopics.RESULT_PARTITIONS);
  private final FollowState follower;
  private final Schedules schedules;
  private final QueuePauses pauses;
  private final ForwardToOwner forward;
  private final Submissions submissions;
  private final QueueAdmin queueAdmin;
  private final DeadLetters deadLetters;
  private final ScheduleChanges scheduleChanges;
  private final ForgetFinishedWork forgetFinishedWork;
  private final FinishWaiters finishWaiters;
  /** The calls that change state, refused once {@link #close()} begins; it waits for those admitted. */
  private final ChangeGate changes = new ChangeGate();
  private final GatedWorkers gatedWorkers;
  private final Duration changesEnding;
  private volatile FireSchedules fireSchedules;
  private ConsumeResults consumeResults;
  private volatile RebuildState.Summary rebuilt;
  private volatile boolean started;
  private volatile boolean closed;

  WorkServer(WorkServerBuilder b) {
    topics = b.topics;
    clock = b.clock;
    nanoTime = b.nanoTime;
    WireCodec codec = b.codec;
    Duration sendTimeout = b.sendTimeout;
    handoutIdle = b.handoutIdle;
    handoutsEnding = b.getPollTimeout.multipliedBy(2).plusSeconds(10);
    changesEnding = sendTimeout;
    commitInterval = b.commitInterval;
    tick = b.tick;
    kafka = b.kafka;
    initialQueues = List.copyOf(b.queues);
    producer = b.kafka.producer();
    try {
      admin = b.kafka.admin();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    journal = Journal.durable(sendTimeout);
    txId = topics.prefix() + ".coordinator-" + b.instanceId;
    writer = new TransactionalWriter(() -> kafka.transactionalProducer(txId), txId, topics.state(), topics.sessions(),
        topics.events(), topics.control(), topics.schedules(), topics.queues());
    List<String> groups = List.of(topics.coordinatorGroup(), topics.handlerGroup());
    String writers = topics.prefix() + ".coordinator-";
    hanging = new AbortHangingTransactions(admin, writer.topics(), groups, writers);
    fenceAbandoned = new FenceAbandonedTransactions(admin, topics.coordinatorGroup(), txId, writers);
    rebuildTimeout = b.rebuildTimeout;
    events = EventDispatcher.toJournal(clock, journal, codec);
    takeover = new InstanceTakeover(txId);
    handlerFeed = new HandlerFeed(kafka, topics.events(), topics.handlerGroup(), txId, codec, events, takeover);
    writer.watch(handlerFeed);
    handlerFeed.runHandlersAt(b.handlerTiming);
    table = new WorkTable(events, codec, journal, ownership);
    workers = new WorkerRegistry(b.secret, clock, nanoTime, events, b.auth, journal);
    workers.endsSessionsOf(ownership::owns);
    table.namesWorkersWith(workers::verifiedName);
    schedules = new Schedules(journal);
    pauses = new QueuePauses(journal, codec);
    follower = new FollowState(kafka, admin, topics, txId, table, workers, timeouts, retries, b.backoff, clock,
        schedules, pauses);
    queues = new QueueTopics(admin, topics, b.workPartitions, b.replicationFactor, b.shareGroup, b.maxQueues,
        b.queues, clock);
    shareGroupSizes = new ShareGroupSizes(clock, b.shareGroupCheck);
    WorkPublisher publisher = new WorkPublisher(producer, codec, topics);
    taker = new TakeNextWork(kafka, topics, codec, b.getPollTimeout);
    reader = new EnvelopeReader(kafka, codec);
    republisher = new Republisher(reader, publisher, topics, sendTimeout);
    pipeline = new ResultPipeline(codec, workers, table, retries, b.backoff, b.resultWindow, events, clock,
        b.replayMemory);
    pipeline.catchUpWith(() -> follower.catchUp(CATCH_UP));
    OwnerRequests requests = new OwnerRequests(producer, topics.results(), b.operatorKey, b.resultWindow, events,
        clock, txId);
    forward = new ForwardToOwner(requests, table, workers, timeouts, retries, ownership, clock, sendTimeout);
    pipeline.forwardedRequests(requests, forward);
    HandoutSeal seal = HandoutSeal.of(b.operatorKey);
    pipeline.handoutSeal(seal);
    if (forward.enabled()) {
      workers.forwardsRevocationsTo(forward::revoke);
      workers.announcesRevocationsWith(forward::announceRevocation);
    }
    intake = new Intake(queues, publisher, table, timeouts, events, clock, sendTimeout, journal, retries);
    submissions = new Submissions(workers, table, ownership, pipeline, journal, codec, producer, topics, clock,
        nanoTime, sendTimeout, seal);
    handout = new Handout(workers, queues, taker, table, events, clock, pauses, submissions::sendRunningNotice,
        publisher);
    gatedWorkers = new GatedWorkers(workers, changes);
    queueAdmin = new QueueAdmin(pauses, table, forward, journal, clock, topics.queues(), sendTimeout, queues::ensure,
        () -> follower.catchUp(CATCH_UP));
    deadLetters = new DeadLetters(table, forward, republisher, timeouts, retries, journal, clock);
    scheduleChanges = new ScheduleChanges(schedules, this::add, queues::ensure, journal, clock, topics.schedules(),
        sendTimeout);
    forgetFinishedWork = new ForgetFinishedWork(table, clock, b.finishedRetention, b.finishedKept, b.deadRetention,
        b.deadKept);
    finishWaiters = new FinishWaiters(table, () -> closed);
  }

  /** Starts configuring a server. */
  public static WorkServerBuilder builder() {
    return new WorkServerBuilder();
  }

  /**
   * Creates the results, events, state and sessions topics and the known queues' topics and share
   * groups; takes over the transactional id {@code <p>.coordinator-<instanceId>} (fencing an earlier
   * holder); rebuilds sessions and work from the state topics; then starts consuming results and the
   * background duties ({@code ExpireTimedOutWork}, {@code RepublishRetries}, {@code ExpireSessions},
   * {@code ForgetFinishedWork}, {@code CloseIdleHandouts}, {@code FireSchedules}, {@code CountShareGroups}).
   *
   * @throws GoWorkException UNAVAILABLE when Kafka cannot be reached or refuses; the server is then
   *     closed (its clients and threads stopped) and cannot be started again
   */
  public synchronized WorkServer start() {
    if (closed) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the work server is closed");
    }
    if (started) {
      return this;
    }
    try {
      startUp();
    } catch (RuntimeException e) {
      // Nothing of a server that did not start stays behind: clients, threads, the transactional id.
      close();
      throw e;
    }
    started = true;
    return this;
  }

  private void startUp() {
    queues.ensureShared();
    initialQueues.forEach(queues::ensure);
    Map<TopicPartition, Long> rebuiltUpTo = new HashMap<>();
    try {
      ownership.partitionCount(queues.resultPartitions());
      writer.init();
      hanging.atStart();
      handlerFeed.prepare(admin, rebuildTimeout);
      rebuilt = RebuildState.run(kafka, topics, rebuildTimeout, workers, table, events, rebuiltUpTo);
    } catch (KafkaException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not restore the coordinator state: " + e.getMessage(), e);
    }
    for (int p = 0; p < QueueTopics.SCHEDULES_PARTITIONS; p++) {
      rebuiltUpTo.put(new TopicPartition(topics.schedules(), p), 0L); // read whole, from its start
    }
    for (int p = 0; p < QueueTopics.QUEUES_PARTITIONS; p++) {
      rebuiltUpTo.put(new TopicPartition(topics.queues(), p), 0L);
    }
    follower.start(rebuiltUpTo);
    // The schedules and pauses are read whole before the server answers, so that its first GET
    // /v1/schedules shows their last runs too, and no paused queue is handed out (the state and
    // sessions were rebuilt above).
    if (!follower.catchUp(CATCH_UP_ON_ASSIGNMENT)) {
      LOG.warn("{} was not read to its end within {}; schedules show and run once it is", topics.schedules(),
          CATCH_UP_ON_ASSIGNMENT);
    }
    PartitionOwner owner = new PartitionOwner(follower, ownership, table, topics, CATCH_UP_ON_ASSIGNMENT,
        fenceAbandoned);
    // A long fetch wait costs a result no latency: the broker answers a waiting fetch as soon as a
    // result is written. The clients' 10 ms default made an idle coordinator's results consumer send
    // ~100 empty fetches a second, the largest part of its idle CPU (docs/coordinator.md).
    // Static membership (classic protocol): a replacement with the same instance id takes the crashed
    // member's results partitions at once instead of after its session timeout (45 s). Cooperative
    // assignment: when a coordinator joins or leaves, only the partitions that move change owner.
    consumeResults = new ConsumeResults(kafka.consumer(topics.coordinatorGroup(), Map.of(
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, txId,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, RESULTS_FETCH_WAIT_MS)),
        topics.results(), pipeline, new CommitChanges(journal, writer, commitInterval, takeover), owner, clock,
        admin, topics.coordinatorGroup(), java.util.regex.Pattern.quote(topics.prefix() + ".coordinator-") + ".*");
    consumeResults.start();
    owner.awaitFirst();
    handlerFeed.start();
    tasks.every("ExpireTimedOutWork", tick, new ExpireTimedOutWork(timeouts, table::expire, clock));
    tasks.every("RepublishRetries", tick,
        new RepublishRetries(retries, table, republisher, clock, nanoTime));
    tasks.every("ExpireSessions", tick.multipliedBy(4), workers::expireSessions);
    tasks.every("ForgetFinishedWork", Duration.ofSeconds(1), forgetFinishedWork);
    tasks.every("AbortHangingTransactions", AbortHangingTransactions.INTERVAL, hanging);
    tasks.every("FenceAbandonedTransactions", FenceAbandonedTransactions.INTERVAL, fenceAbandoned);
    tasks.every("CloseIdleHandouts", Duration.ofSeconds(1), new CloseIdleHandouts(taker, handoutIdle));
    fireSchedules = new FireSchedules(schedules, ownership::owns, () -> follower.catchUp(CATCH_UP_ON_ASSIGNMENT),
        intake::addAllAsync, table::knows, clock, nanoTime);
    tasks.every("FireSchedules", tick, fireSchedules);
    // Runs each second; counts once per shareGroupCheck (ShareGroupSizes.due).
    tasks.every("CountShareGroups", Duration.ofSeconds(1),
        new CountShareGroups(admin, topics, this::listedQueues, shareGroupSizes));
  }

  /** The queues {@code GET /v1/queues} may list: prepared here, with unfinished work, or paused. */
  private Set<String> listedQueues() {
    Set<String> all = new java.util.TreeSet<>(queues.queues());
    all.addAll(table.sizes().keySet());
    all.addAll(pauses.paused().keySet());
    return all;
  }

  /** Adds parameters passed to every handler (the seed's {@code AddParams}); returns this server. */
  public WorkServer addParams(Map<String, Object> params) {
    events.addParams(params);
    return this;
  }

  /**
   * Registers the handler for an event id (the seed's {@code NewHandler}).
   *
   * @throws GoWorkException INVALID_ARGUMENT for an unknown id; CONFLICT when it already has one (fires
   *     {@code add_handler_error})
   */
  public void newHandler(String eventId, EventHandler handler) {
    events.register(eventId, handler);
  }

  /** Calls {@code listener} for every event (e.g. to count them); on the dispatch thread, before handlers. */
  public void onEvent(Consumer<Event> listener) {
    events.onEvent(listener);
  }

  /**
   * New work for the default queue (the seed's {@code CreateWork}); see {@link Work#create}.
   *
   * @throws GoWorkException INVALID_ARGUMENT when data does not serialize to JSON or timeoutSeconds is not 1-604800
   */
  public Work createWork(Object data, long timeoutSeconds) {
    return Work.create(data, timeoutSeconds);
  }

  /**
   * Publishes work to its queue, waiting for Kafka's acknowledgement; fires {@code add_work}. The
   * deadline is {@code timeoutSeconds} from now.
   *
   * @throws GoWorkException CONFLICT when already added, TOO_LARGE over the record limit, UNAVAILABLE
   *     when Kafka does not acknowledge it
   */
  public void add(Work work) {
    addAll(List.of(work));
  }

  /** Publishes many items, sending all before waiting once; see {@link #add}. */
  public void addAll(Collection<Work> work) {
    requireStarted();
    changes.run(() -> intake.addAll(work));
  }

  /**
   * Publishes many items without waiting: the future completes once every item is acknowledged by
   * Kafka and its state committed (the point where {@link #addAll} returns), or fails with a
   * {@link GoWorkException} (UNAVAILABLE) that says how many items were not added; those are
   * forgotten, the others stand. Lets one thread keep many batches in flight.
   *
   * @throws GoWorkException at once, with nothing sent, for a batch that {@link #addAll} refuses
   *     (CONFLICT for an id already added, TOO_LARGE over the record limit)
   */
  public CompletableFuture<Void> addAllAsync(Collection<Work> work) {
    requireStarted();
    return changes.runAsync(() -> intake.addAllAsync(work));
  }

  /** The next work of the default queue for an HTTP worker; see {@link #get(String, String, String)}. */
  public Optional<WorkEnvelope> get(String workerId, String sessionKey) {
    return get(workerId, sessionKey, Topics.DEFAULT_QUEUE);
  }

  /**
   * Takes the next work of {@code queue} for a worker that does not read Kafka (the seed's {@code Get}):
   * fires {@code get_work} and {@code work_started} and marks it running, or {@code get_work_empty} and
   * returns empty.
   *
   * @throws GoWorkException UNAUTHENTICATED for an unknown worker or a wrong or expired session key
   *     (fires {@code get_work_error}); INVALID_ARGUMENT for a bad queue name; CONFLICT for a new queue
   *     past {@code GOWORK_MAX_QUEUES}; UNAVAILABLE once the server is closing (nothing is taken then)
   */
  public Optional<WorkEnvelope> get(String workerId, String sessionKey, String queue) {
    requireStarted();
    return handout.get(workerId, sessionKey, queue);
  }

  /**
   * Submits an HTTP worker's result: checks the session, then publishes it to the results topic
   * signed with that session key, so that one pipeline handles every result. Returns once Kafka has it.
   * Refused once the server is closing, as {@link #cancel} is; one under way then is published before
   * the server closes.
   *
   * @throws GoWorkException UNAUTHENTICATED (bad session), NOT_FOUND (unknown work), TIMED_OUT, CONFLICT
   *     (already finished), TOO_LARGE, UNAVAILABLE ({@link ClosingException} when refused at close:
   *     nothing was published, send it again)
   */
  public void submit(String workerId, String sessionKey, ResultEnvelope result) {
    requireStarted();
    changes.run(() -> submissions.submit(workerId, sessionKey, result));
  }

  /**
   * An HTTP worker's progress report on the work it took: published to the results topic as a signed
   * {@code running} notice, as a Kafka worker's, so status queries show it (on every coordinator). A
   * refusal tells the worker its work is over: finished, cancelled or timed out. Refused at close, and
   * waited for by it, as {@link #submit(String, String, ResultEnvelope)} is.
   *
   * @throws GoWorkException UNAUTHENTICATED (bad session), NOT_FOUND (unknown work), TIMED_OUT, CONFLICT
   *     (finished, cancelled, or handed to another worker), RATE_LIMITED (within a second of its last
   *     report), UNAVAILABLE ({@link ClosingException} when refused at close)
   */
  public void reportProgress(String workerId, String sessionKey, String workId, int attempt, Progress progress) {
    requireStarted();
    changes.run(() -> submissions.reportProgress(workerId, sessionKey, workId, attempt, progress));
  }

  /**
   * Submits a result in-process (the seed's {@code Submit(w)}): completed unless {@link Work#error()} is set.
   *
   * @throws GoWorkException NOT_FOUND, TIMED_OUT or CONFLICT when refused (fires {@code result_rejected})
   */
  public void submit(Work work) {
    requireStarted();
    changes.run(() -> submissions.submit(work));
  }

  /** Work queued, running or waiting to retry, over all queues (the seed's {@code QueueSize}). */
  public long queueSize() {
    return table.sizes().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Work queued, running or waiting to retry, per queue. */
  public Map<String, Long> queueSizes() {
    return table.sizes();
  }

  /** Work not yet finished per queue and state (queued, running, retry_wait); walks every item, so not for hot paths. */
  public Map<String, Map<WorkState, Long>> queueStates() {
    Map<String, Map<WorkState, Long>> m = new java.util.TreeMap<>();
    queueLoads().forEach((queue, load) -> m.put(queue, load.byState()));
    return m;
  }

  /**
   * Work not yet finished per queue, by state, with each queue's latency now (on this server's clock): how long
   * its oldest item that could run has waited, see {@link QueueLoad}. Counts the items this coordinator mirrors
   * from others too. Walks every item, so not for hot paths.
   */
  public Map<String, QueueLoad> queueLoads() {
    return table.loads(clock.millis());
  }

  /** The state of one work item, while the server remembers it. */
  public Optional<WorkStatus> status(String workId) {
    return table.status(workId);
  }

  /**
   * The item's status once it has finished (completed, failed, timed out, dead or cancelled), or
   * after {@code timeout} whatever it is then (Celery's {@code AsyncResult.get}, BullMQ's
   * {@code waitUntilFinished}). A final state counts once it is committed: this coordinator's own
   * decision after its transaction, another coordinator's when read from the state topic. Empty when
   * the server does not know the item (never added, or forgotten). Completes on a pool thread, not on
   * the coordinator's own; nothing is left behind after a timeout. A wait under way when the server
   * closes, or begun during or after {@link #close()}, completes at once with the status then.
   *
   * <pre>{@code
   * ws.add(work);
   * WorkStatus done = ws.whenFinished(work.id(), Duration.ofSeconds(30)).join().orElseThrow();
   * }</pre>
   */
  public CompletableFuture<Optional<WorkStatus>> whenFinished(String workId, Duration timeout) {
    return finishWaiters.whenFinished(workId, timeout);
  }

  /**
   * Why this server no longer applies results although it was not closed: another coordinator with
   * the same instance id took it over (fenced its transactions or its group membership), or its
   * commits failed for good. Empty while it works (and before {@code start()}). The service's
   * {@code /healthz} answers 503 with it, so an orchestrator replaces the process.
   */
  public Optional<String> failure() {
    ConsumeResults loop = consumeResults;
    if (closed) {
      return Optional.empty();
    }
    Optional<String> takenOver = takeover.why().map(Throwable::getMessage);
    return takenOver.isPresent() || loop == null ? takenOver : loop.failure();
  }

  /**
   * Runs {@code action} once another coordinator started with this one's instance id has taken it
   * over (at once if it has): this server then has stopped consuming and committing for good, and
   * {@link #failure()} says why. It runs on one of the server's threads and must not block on it:
   * to close the server, start the close on a thread of its own, as {@code gowork coordinator} does
   * before it exits with status 3.
   */
  public void onTakeover(Runnable action) {
    takeover.onTakeover(action);
  }

  /**
   * Worker registration and sessions (the seed's {@code ws.Workers}); {@code verify} and {@code revoke}
   * are refused once the server is closing, as {@link #cancel} is.
   */
  public Workers workers() {
    return gatedWorkers;
  }

  /** The registry itself, for tests that drive its duties. */
  WorkerRegistry registry() {
    return workers;
  }

  /**
   * Work that is running: handed out over HTTP, or reported running by a Kafka worker (see
   * {@code GOWORK_RUNNING_NOTICE_MS}); in no order.
   */
  public List<WorkStatus> running() {
    return table.running();
  }

  /** Work whose every attempt failed (maxAttempts above 1). */
  public List<WorkStatus> deadLetters() {
    return table.deadLetters();
  }

  /**
   * Defines repeating work, or redefines the schedule of that name: from its next run time on, the
   * coordinator that owns the name adds the schedule's work, with the id {@code <name>@<run time>}.
   * The definition is kept in Kafka ({@code <p>.schedules}) and is the same for every coordinator of
   * the prefix. A run missed while no coordinator was up happens once when one is back.
   *
   * <pre>{@code
   * ws.schedule(Schedule.cron("nightly-report", "0 2 * * *", Map.of("report", "sales"), 600)
   *     .withZone(ZoneId.of("Europe/Paris")));
   * }</pre>
   *
   * @return the schedule as the coordinators now know it, with its next run time
   * @throws GoWorkException INVALID_ARGUMENT when a cron expression never runs (e.g. "0 0 30 2 *");
   *     CONFLICT when {@value Schedules#MAX_SCHEDULES} other schedules exist, or when its
   *     queue would be a new one past {@code GOWORK_MAX_QUEUES}; UNAVAILABLE when Kafka did not commit it in time
   */
  public ScheduleStatus schedule(Schedule s) {
    requireStarted();
    if (s.nextRunAfter(clock.instant()).isEmpty()) {
      // A typo such as April 31: defined, it would be listed and never run, with no error anywhere.
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the cron expression '" + s.cron().orElse("") + "' of schedule '"
          + s.name() + "' never runs (it names no date that exists, e.g. February 30): nothing was defined");
    }
    return changes.run(() -> scheduleChanges.define(s));
  }

  /**
   * Deletes schedule {@code name}: it adds no more work (work it added is not touched).
   *
   * @return false when there is no such schedule
   * @throws GoWorkException UNAVAILABLE when Kafka did not commit the deletion in time
   */
  public boolean unschedule(String name) {
    requireStarted();
    return changes.run(() -> scheduleChanges.delete(name));
  }

  /**
   * Adds schedule {@code name}'s work now, outside its times (Sidekiq-cron's "enqueue now"), under the
   * id {@code <name>@manual-<now>}; the schedule's own runs are not affected.
   *
   * @return the added work's id
   * @throws GoWorkException NOT_FOUND when there is no such schedule, UNAVAILABLE
   */
  public String runScheduleNow(String name) {
    requireStarted();
    return changes.run(() -> scheduleChanges.runNow(name));
  }

  /** Runs of schedules whose work this coordinator added since it started. */
  public long scheduleRuns() {
    FireSchedules f = fireSchedules;
    return f == null ? 0 : f.runs();
  }

  /**
   * Tries of a schedule's run that failed since this coordinator started (Kafka away, or its queue a new
   * one past {@code GOWORK_MAX_QUEUES}): each is tried again 5 s later, and logged.
   */
  public long scheduleRunFailures() {
    FireSchedules f = fireSchedules;
    return f == null ? 0 : f.failures();
  }

  /**
   * Requests refused since this coordinator started because they named a new queue past
   * {@code GOWORK_MAX_QUEUES}: work added to it, asked for from it over HTTP, a schedule or a pause.
   */
  public long queueLimitRefusals() {
    return queues.refusals();
  }

  /** Every schedule, by name, with its last and next run. */
  public List<ScheduleStatus> schedules() {
    return schedules.list(clock.instant());
  }

  /** Schedule {@code name}, with its last and next run; empty when there is none. */
  public Optional<ScheduleStatus> scheduleStatus(String name) {
    return schedules.get(name, clock.instant());
  }

  /** Longest reason {@link #cancel} accepts. */
  public static final int MAX_CANCEL_REASON_CHARS = 1_000;

  /**
   * Cancels work that has not finished (queued, running or waiting to retry): it becomes
   * {@code cancelled}, {@code work_cancelled} fires, and the workers are told, so a Kafka worker
   * running it has its {@link dev.gowork.broker.wire.CancelNotice context cancelled} and reports
   * nothing, and one that receives it later does not run it. A result that still arrives is refused.
   *
   * <pre>{@code
   * ws.cancel(workId, "the customer withdrew the order");
   * }</pre>
   *
   * <p>With several coordinators, work another one owns is cancelled by its owner: this one sends it
   * the request over {@code <p>.results} and answers once the change shows in its mirrored state.
   *
   * @param reason why, kept in the status and the event; may be null
   * @return the work's status, now {@code cancelled}
   * @throws GoWorkException NOT_FOUND (unknown, or forgotten), CONFLICT (already finished),
   *     INVALID_ARGUMENT (a reason over 1,000 characters), UNAVAILABLE (not committed, or, for work
   *     another coordinator owns, not seen applied within the send timeout: it is applied once read)
   */
  public WorkStatus cancel(String workId, String reason) {
    requireStarted();
    checkReason(reason);
    return changes.run(() -> {
      if (forward.enabled() && !table.owns(workId)) {
        return forward.cancel(workId, reason);
      }
      WorkStatus s = table.cancel(workId, reason, clock.millis());
      journal.flushAndWait();
      LOG.info("work {} cancelled", workId);
      return s;
    });
  }

  /**
   * Pauses {@code queue}: no worker takes new work from it until {@link #resumeQueue} (Faktory's and
   * BullMQ's pause): GoWork worker replicas close its share consumers (work they run finishes), and {@code get}
   * answers empty for it. Its work waits in Kafka; deadlines still pass. The pause is kept in the
   * compacted {@code <p>.queues}, which every coordinator and replica reads, so it outlasts restarts.
   *
   * <p>A queue is prepared before it is paused (created if new, so it may be paused before its first work).
   *
   * @param reason why, shown in {@code GET /v1/queues}; may be null
   * @return the pause as written
   * @throws GoWorkException INVALID_ARGUMENT (a bad queue name, a reason over 1,000 characters), CONFLICT (a new
   *     queue past {@code GOWORK_MAX_QUEUES}), UNAVAILABLE
   */
  public QueueNotice pauseQueue(String queue, String reason) {
    return setPaused(queue, true, reason);
  }

  /**
   * Resumes a paused queue: worker replicas open their share consumers again within about a
   * second and take its work once they have joined its share group (a heartbeat interval, 5 s by default).
   * A queue that is not paused is left as it is (nothing is written).
   *
   * @throws GoWorkException INVALID_ARGUMENT (a bad queue name), UNAVAILABLE
   */
  public QueueNotice resumeQueue(String queue) {
    return setPaused(queue, false, null);
  }

  /**
   * Each queue's share group {@code <p>.workers.<queue>} as last counted (every
   * {@link WorkServerBuilder#shareGroupCheck}, 15 s by default), by queue: its members and the brokers'
   * {@code group.share.max.size}. Every worker slot and every HTTP hand-out consumer of a coordinator is a
   * member; a full group refuses further members, which then get no work. Reads no Kafka.
   */
  public Map<String, GroupSize> shareGroups() {
    return shareGroupSizes.current();
  }

  /** The paused queues, by name. */
  public Map<String, QueueNotice> pausedQueues() {
    return pauses.paused();
  }

  private QueueNotice setPaused(String queue, boolean paused, String reason) {
    requireStarted();
    Topics.validateQueue(queue);
    checkReason(reason);
    return changes.run(() -> queueAdmin.setPaused(queue, paused, reason));
  }

  /**
   * What {@link #cancelQueue} did: how many items it cancelled, how many it sent to the other
   * coordinators that own them (they cancel them a moment later), and how many other coordinators own
   * that it could not send them, having no {@link WorkServerBuilder#operatorKey} (they are left as they
   * are: cancel the queue on each coordinator, or give them all the key). The HTTP service always has
   * the key, so {@code notOwned} is 0 there.
   */
  public record QueueCancellation(String queue, int cancelled, int forwarded, int notOwned) {}

  /**
   * Cancels all unfinished work of {@code queue} (Faktory's queue remove, Sidekiq's clear, BullMQ's
   * drain), each item as {@link #cancel} does. Work added to the queue meanwhile is not touched. Items
   * other coordinators own are sent to them, which cancel them as they read the requests; this call
   * does not wait for that (their statuses show it).
   *
   * @param reason why, kept in each item's status and event; may be null
   * @throws GoWorkException INVALID_ARGUMENT (a bad queue name, a reason over 1,000 characters), UNAVAILABLE (also
   *     when some cancels could not be sent to the coordinators that own those items: the message says how many
   *     items were cancelled, sent and not sent; the cancelled ones stay cancelled, and a second call sends the rest)
   */
  public QueueCancellation cancelQueue(String queue, String reason) {
    requireStarted();
    Topics.validateQueue(queue);
    checkReason(reason);
    return changes.run(() -> queueAdmin.cancelQueue(queue, reason));
  }

  /**
   * Gives a dead item one more attempt with a fresh deadline and publishes it again (fires {@code work_retry}).
   *
   * Work another coordinator owns is requeued by it, as for {@link #cancel}.
   *
   * @throws GoWorkException NOT_FOUND (unknown, or its record is gone), CONFLICT (not dead), UNAVAILABLE
   */
  public void requeue(String workId) {
    requireStarted();
    changes.run(() -> deadLetters.requeue(workId));
  }

  /**
   * Deletes a dead letter: it is no longer listed or requeueable and its state record is deleted
   * (the {@code work_dead} event on the events topic stays).
   *
   * Work another coordinator owns is deleted by it, as for {@link #cancel}.
   *
   * @throws GoWorkException NOT_FOUND (unknown), CONFLICT (not dead),
   *     UNAVAILABLE
   */
  public void deleteDead(String workId) {
    requireStarted();
    changes.run(() -> deadLetters.delete(workId));
  }

  /**
   * Transactions found hanging on this coordinator's partitions and aborted since start, one per
   * partition (see docs/reliability.md): each is a broker that stopped uncleanly.
   */
  public long hangingTransactionsAborted() {
    return hanging.abortedCount();
  }

  /**
   * Transactional ids of coordinators gone from the group whose open transaction this coordinator
   * fenced since start, so that Kafka aborted it at once (see docs/coordinator.md): each is a
   * coordinator killed or cut off while it had a transaction open.
   */
  public long abandonedTransactionsFenced() {
    return fenceAbandoned.fencedCount();
  }

  /** Dead letters forgotten since start because they were older than the retention or beyond the cap. */
  public long deadForgotten() {
    return forgetFinishedWork.deadForgotten();
  }

  /** How many dead letters this coordinator holds. */
  public int deadCount() {
    return table.deadCount();
  }

  /** The topic layout in use (for answers that tell workers where to connect). */
  public Topics topics() {
    return topics;
  }

  /** How many handler or listener calls threw. */
  public long handlerFailures() {
    return events.handlerFailures();
  }

  /**
   * The first step of {@link #close()}, for a front end that must answer its callers before it stops
   * (the HTTP service closes its connections only after this): {@code get} is refused from now on
   * (UNAVAILABLE), a {@code get} waiting for a record ends at once (UNAVAILABLE; nothing is taken), and
   * one that has taken its record finishes (the work is marked running and returned). Waits up to one
   * take's worth of time (its lock, its poll and a 5 s commit, plus 10 s) for those under way; one still
   * under way then hands nothing out: once its take ends, it gives the record back to the queue (published
   * again, as the attempt it would have been) and is refused, so that no work is marked running for a
   * caller that is no longer there. Safe to call more than once, and before {@link #close()}; the server
   * carries on otherwise.
   *
   * @return false when some hand-outs were still under way when the wait ran out (logged once)
   */
  public boolean stopHandouts() {
    return stopHandouts(handoutsEnding);
  }

  /** {@link #stopHandouts()} waiting up to {@code wait} (tests). */
  boolean stopHandouts(Duration wait) {
    return handout.stop(wait);
  }

  /**
   * For a front end that must answer its callers before it stops (the HTTP service closes its connections
   * only after this): waits up to the send timeout for the calls that change state under way ({@code add},
   * {@code cancel}, {@code requeue}, {@code revoke}, an HTTP worker's result or progress…) to end, their
   * commit (or publication) included. Refuses none ({@link
   * #close()} does), so the server carries on.
   *
   * @return false when some were still under way when the wait ran out
   */
  public boolean awaitChanges() {
    return changes.awaitNone(changesEnding);
  }

  /**
   * Refuses the calls that change state ({@code add}, {@code cancel}, {@code requeue}, {@code revoke}, an
   * HTTP worker's result or progress…: UNAVAILABLE, nothing changed or published) and {@code get}, and waits
   * for those under way ({@link #stopHandouts}, then up to the send timeout for the changes), so that what
   * they did is committed or published; then stops
   * consuming and the background duties, delivers queued events, and closes the Kafka clients.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    changes.refuse();
    if (!stopHandouts()) {
      // Closing the consumers waits for the takes under way; those hand-outs then give their records
      // back, before the producer closes.
      taker.close();
      handout.awaitEnded(HANDOUTS_GIVING_BACK);
    }
    if (!changes.awaitNone(changesEnding)) {
      LOG.warn("changes still under way after {}: they may fail with their commit refused", changesEnding);
    }
    table.finishAllWatches();
    finishWaiters.shutdown();
    tasks.close();
    if (consumeResults != null) {
      consumeResults.close();
    }
    handlerFeed.close();
    follower.close();
    writer.close();
    taker.close();
    reader.close();
    events.close();
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }

  /**
   * For fault tests: stops like a killed process. Threads stop, the open transaction is aborted and
   * journaled changes not yet committed are dropped; nothing is flushed. A new server on the same
   * topics (and instance id) carries on from what was committed.
   */
  synchronized void crash() {
    if (closed) {
      return;
    }
    closed = true;
    table.finishAllWatches();
    finishWaiters.shutdown();
    handlerFeed.crash();
    events.crash();
    if (consumeResults != null) {
      consumeResults.crash();
    }
    tasks.crashNow();
    follower.close();
    taker.close();
    reader.close();
    writer.close();
    producer.close(Duration.ZERO);
    admin.close(Duration.ZERO);
  }

  /** The results partitions this coordinator owns now (for tests and logs). */
  Set<Integer> ownedPartitions() {
    return ownership.owned();
  }

  /** What the last {@link #start()} rebuilt from the state topics (for tests and logs); null before. */
  RebuildState.Summary rebuilt() {
    return rebuilt;
  }

  /** @throws GoWorkException INVALID_ARGUMENT for a reason over {@value #MAX_CANCEL_REASON_CHARS} characters */
  private static void checkReason(String reason) {
    if (reason != null && reason.length() > MAX_CANCEL_REASON_CHARS) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the reason must be at most " + MAX_CANCEL_REASON_CHARS
          + " characters, was " + reason.length());
    }
  }

  private void requireStarted() {
    if (closed) {
      throw new ClosingException("the work server is closed");
    }
    if (!started) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "the work server is not started: call start() first");
    }
  }
}
