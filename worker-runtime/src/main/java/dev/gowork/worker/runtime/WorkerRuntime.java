package dev.gowork.worker.runtime;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.tls.TrustedCertificates;
import dev.gowork.broker.topic.Topics;
import dev.gowork.worker.handler.HandlerRegistry;
import dev.gowork.worker.handler.WorkHandler;
import dev.gowork.worker.session.Handshake;
import dev.gowork.worker.session.HttpHandshake;
import dev.gowork.worker.session.Session;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker replica: authenticates with the coordinator, takes work from its queue's share group,
 * runs it on {@code concurrency} slots with the handler, and writes signed results.
 *
 * <pre>{@code
 * try (WorkerRuntime runtime = WorkerRuntime.builder(WorkerSettings.fromEnv(System.getenv()))
 *     .handler((data, ctx) -> data)
 *     .start()) {
 *   runtime.awaitTermination();
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops taking work, lets running work finish within the shutdown grace, then
 * cancels and releases the rest. Killing the process loses nothing: the broker releases its records.
 */
public final class WorkerRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * How long {@link #close()} may take past the shutdown grace: the last result writes (5 s), the
   * lanes' closes, all at once (3 s), then the producer's. deploy/ gives a replica its grace plus 10 s.
   */
  static final Duration STOP_AFTER_GRACE = Duration.ofSeconds(10);
  /** How often a slot refused by a full share group tries to join again. */
  static final Duration REJOIN_EVERY = Duration.ofSeconds(30);
  /** How long a starting replica waits to have read the cancel notices written before it started. */
  private static final Duration CANCELS_CATCH_UP = Duration.ofSeconds(10);

  private final WorkerSettings settings;
  private final Stats stats;
  private final Clock clock;
  /**
   * A monotonic time source ({@link System#nanoTime} but in tests) for what is a duration: lock renewals,
   * how long handlers run, the cancel grace, the stall check of {@link #health()}, the purge of cancelled ids.
   */
  private final LongSupplier nanoTime;
  /** The registry given to the builder, or null, and the meters this replica registered there. */
  private final MeterRegistry meterRegistry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final AtomicReference<Session> session = new AtomicReference<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Completed when the first close (or crash) has finished. */
  private final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
  private final ExecutorService workThreads;
  private final ScheduledExecutorService renewThread;
  private Producer<String, byte[]> producer;
  private ConsumeWork loop;
  private Thread pollThread;
  /** Wraps each lane's share consumer as it is created (tests observe them so). */
  private UnaryOperator<ShareConsumer<String, byte[]>> wrapConsumer = c -> c;
  private Duration rejoinEvery = REJOIN_EVERY;
  private final Cancellations cancellations = new Cancellations();
  private final PausedQueues paused = new PausedQueues();
  private FollowControl controlFollower;
  private volatile RenewSession renewal;
  private String workTopic;

  private WorkerRuntime(WorkerSettings settings, Clock clock, LongSupplier nanoTime, MeterRegistry meters) {
    this.settings = settings;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.meterRegistry = meters;
    Timer handlerTime = meters == null ? null : WorkerMeters.handlerTimer(meters, settings.queue());
    if (handlerTime != null) {
      this.meters.add(handlerTime);
    }
    this.stats = new Stats(handlerTime);
    this.workThreads = Executors.newCachedThreadPool(threads("gowork-work-", true));
    this.renewThread = Executors.newSingleThreadScheduledExecutor(threads("gowork-renew-session-", true));
  }

  /** Starts describing a replica; finish with {@link Builder#start()}. */
  public static Builder builder(WorkerSettings settings) {
    return new Builder(settings);
  }

  private void start(WorkHandler handler, Handshake handshake) {
    Handshake retrying = new RetryingHandshake(handshake, settings.handshakeAttempts(), Backoff.defaults(), Sleeper.REAL);
    session.set(retrying.authenticate());
    Session s = session.get();
    String bootstrap = settings.bootstrapServers().or(s::kafkaBootstrapServers).orElseThrow(() ->
        new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the coordinator did not name Kafka; set "
            + WorkerSetting.BOOTSTRAP_SERVERS.label()));
    Topics topics = Topics.of(settings.topicPrefix().or(s::kafkaTopicPrefix).orElse(Topics.DEFAULT_PREFIX));
    workTopic = topics.work(settings.queue());
    KafkaClients clients = new KafkaClients(bootstrap, settings.kafka());
    ProvisionQueue.run(clients, topics, settings);
    producer = clients.producer();
    followControl(clients, topics.control(), topics.queues());
    String group = topics.shareGroup(settings.queue());
    Map<String, Object> overrides = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchSize(),
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 250);
    loop = new ConsumeWork(settings, workTopic, group, topics.results(),
        i -> new Lane(i, wrapConsumer.apply(clients.shareConsumer(group, overrides)), stats, nanoTime),
        producer, handler, workThreads, session::get, clock, nanoTime, stats, cancellations,
        () -> paused.isPaused(settings.queue()), rejoinEvery);
    pollThread = new Thread(loop, "gowork-consume-" + settings.queue());
    pollThread.start();
    await(loop.ready);
    renewal = new RenewSession(retrying, session, renewThread, clock);
    renewal.start();
    LOG.info("consuming {} as {} with {} slots (Kafka {}, handler {})", workTopic, s.workerId(),
        settings.concurrency(), bootstrap, handler.getClass().getName());
  }

  /**
   * Starts reading the coordinator's notices (cancelled work, revoked sessions), and waits (a little)
   * until those written before this replica started are read, so that it does not run work cancelled
   * while it was down.
   */
  private void followControl(KafkaClients clients, String topic, String queuesTopic) {
    controlFollower = new FollowControl(() -> clients.consumer(null, FollowControl.CONSUMER_SETTINGS),
        topic, queuesTopic, cancellations, paused, this::revoked, clock, nanoTime);
    Thread t = new Thread(controlFollower, "gowork-control-" + settings.queue());
    t.setDaemon(true);
    t.start();
    try {
      controlFollower.caughtUp.get(CANCELS_CATCH_UP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("{} not read within {} s; starting anyway (work cancelled before now may run here once)", topic,
          CANCELS_CATCH_UP.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // the follower completes normally, even when it stops
    }
  }

  /** A session was revoked: if it is this replica's, verify again now (results signed with it are refused). */
  private void revoked(String workerId) {
    RenewSession r = renewal;
    if (r != null && workerId.equals(session.get().workerId())) {
      LOG.warn("the coordinator revoked the session of {}; authenticating again", workerId);
      r.renewSoon();
    }
  }

  /** The worker id results are signed as (it changes when the session is renewed). */
  public String workerId() {
    return session.get().workerId();
  }

  /** The work topic this replica consumes. */
  public String workTopic() {
    return workTopic;
  }

  /** What this replica has done so far. */
  public Counters counters() {
    return stats.snapshot();
  }

  /** How many slots the queue's share group refused because it was full (they try to join again). */
  int refusedSlots() {
    return loop.refusedSlots();
  }

  /** Whether this replica is alive and takes work, with the reason when not (see {@link Health}). */
  public Health health() {
    Instant now = clock.instant();
    Session s = session.get();
    return Health.judge(closing.get(), closed.isDone(), failure(), loop.sinceLastTurn(), s.isValid(now),
        s.expiresAt(), settings.concurrency(), loop.refusedSlots());
  }

  /**
   * Registers and verifies again now, e.g. after the coordinator lost its sessions.
   *
   * @throws GoWorkException when the coordinator refuses or cannot be reached; the old session stays
   */
  public void reauthenticate() {
    renewal.renewNow();
  }

  /** Blocks until the replica has stopped (after {@link #close()}, or when its loop failed). */
  public void awaitTermination() throws InterruptedException {
    try {
      loop.stopped.get();
    } catch (ExecutionException e) {
      // reported by failure()
    }
  }

  /** Why the consume loop stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    if (!loop.stopped.isCompletedExceptionally()) {
      return Optional.empty();
    }
    try {
      loop.stopped.getNow(null);
      return Optional.empty();
    } catch (java.util.concurrent.CompletionException e) {
      return Optional.of(e.getCause());
    }
  }

  /**
   * Drains and stops: see the class comment. Idempotent: a later or concurrent call returns once the
   * first one has finished (the process's stop signal and its {@code main} both call it, and the
   * process must not exit halfway). Blocks up to the shutdown grace plus 10 s; the consume loop has
   * stopped when it returns (else it says so in the log).
   */
  @Override
  public void close() {
    Duration upTo = settings.shutdownGrace().plus(STOP_AFTER_GRACE);
    if (!closing.compareAndSet(false, true)) {
      try {
        closed.get(upTo.plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("the first close did not finish in time: {}", e.toString());
      }
      return;
    }
    long end = System.nanoTime() + upTo.toNanos();
    try {
      if (loop != null) {
        loop.drain();
        waitStopped(upTo.minusSeconds(1));
        awaitEnded(pollThread, end - TimeUnit.SECONDS.toNanos(1));
      }
      shutDown(Duration.ofNanos(Math.max(0, Math.min(CLOSE_TIMEOUT.toNanos(), end - System.nanoTime()))));
      LOG.info("stopped: {}", stats.snapshot());
    } finally {
      removeMeters();
      closed.complete(null);
    }
  }

  /** True once a {@link #close()} or crash has begun (tests). */
  boolean isClosing() {
    return closing.get();
  }

  /** When a poll of the consume loop last brought records back, on the monotonic clock (tests). */
  long lastRecordsNanos() {
    return loop == null ? 0 : loop.lastRecordsNanos();
  }

  /** Slots whose consumer is closed while the queue is paused or the session expired (tests). */
  int parkedSlots() {
    return loop == null ? 0 : loop.parkedLanes();
  }

  /** The thread of the consume loop, once started (tests). */
  Thread pollThread() {
    return pollThread;
  }

  /** True once a {@link #close()} or crash has finished (tests). */
  boolean isClosed() {
    return closed.isDone();
  }

  /** Closes every client at once without acknowledging anything, as if the process died (tests). */
  void crash() {
    if (closing.compareAndSet(false, true)) {
      try {
        loop.crash();
        waitStopped(CLOSE_TIMEOUT.multipliedBy(2));
        shutDown(Duration.ZERO);
        LOG.info("stopped abruptly (crash): {}", stats.snapshot());
      } finally {
        removeMeters();
        closed.complete(null);
      }
    }
  }

  /** Takes this replica's meters out of the registry, so a replica started later registers its own. */
  private void removeMeters() {
    if (meterRegistry != null) {
      meters.forEach(meterRegistry::remove);
      meters.clear();
    }
  }

  /** Closes the producer before interrupting handlers, so an interrupted handler cannot write a result. */
  private void shutDown(Duration timeout) {
    renewThread.shutdownNow();
    if (controlFollower != null) {
      controlFollower.close();
    }
    if (producer != null) {
      producer.close(timeout);
    }
    workThreads.shutdownNow();
  }

  /** Waits until {@code t} has ended, up to {@code endNanos} ({@link System#nanoTime()}); says so if it has not. */
  private static void awaitEnded(Thread t, long endNanos) {
    try {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("{} is still running after the shutdown grace and {} s; stopping without it", t.getName(),
          STOP_AFTER_GRACE.minusSeconds(1).toSeconds());
    }
  }

  private void waitStopped(Duration timeout) {
    try {
      loop.stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("the consume loop did not stop cleanly: {}", e.toString());
    }
  }

  private static void await(java.util.concurrent.CompletableFuture<Void> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "interrupted while starting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new GoWorkException(ErrorCode.INTERNAL, cause.toString(), cause);
    }
  }

  private static ThreadFactory threads(String prefix, boolean daemon) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(daemon);
      return t;
    };
  }

  /** Describes a replica; only the settings are required. */
  public static final class Builder {
    private final WorkerSettings settings;
    private WorkHandler handler;
    private Handshake handshake;
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;
    private MeterRegistry meters;
    private UnaryOperator<ShareConsumer<String, byte[]>> wrapConsumer = c -> c;
    private Duration rejoinEvery = REJOIN_EVERY;

    private Builder(WorkerSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The handler; when not given, {@code GOWORK_HANDLER} names one ({@link HandlerRegistry#builtIns()}). */
    public Builder handler(WorkHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** How to authenticate; {@link HttpHandshake} against {@code GOWORK_COORDINATOR_URL} when not given. */
    public Builder handshake(Handshake handshake) {
      this.handshake = Objects.requireNonNull(handshake, "handshake");
      return this;
    }

    /** The clock for deadlines, sessions and result timestamps; the system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The monotonic time source that durations are measured on, instead of {@link System#nanoTime} (tests). */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Where to register this replica's meters (results by status, rejected and released records,
     * records in flight, slots, and a histogram of handler time; docs/worker.md); none by default.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** How often a slot refused by a full share group tries to join again, instead of every 30 s (tests). */
    Builder rejoinEvery(Duration d) {
      this.rejoinEvery = Objects.requireNonNull(d, "rejoinEvery");
      return this;
    }

    /** Wraps each lane's share consumer, to watch what the replica does with it (tests). */
    Builder wrapConsumers(UnaryOperator<ShareConsumer<String, byte[]>> wrap) {
      this.wrapConsumer = Objects.requireNonNull(wrap, "wrap");
      return this;
    }

    /**
     * Authenticates (retrying while the coordinator is not up), provisions the queue, and starts
     * consuming. Returns once its share consumers are subscribed; the broker then needs a moment
     * (typically 1-3 s) to assign them partitions before the first record arrives.
     *
     * @throws GoWorkException UNAUTHENTICATED when the coordinator refuses the secret; INVALID_ARGUMENT
     *     naming the setting when one is missing or wrong; UNAVAILABLE when the coordinator never answered
     */
    public WorkerRuntime start() {
      WorkHandler h = handler != null ? handler : HandlerRegistry.builtIns().resolve(settings.handler().orElseThrow(
          () -> new GoWorkException(ErrorCode.INVALID_ARGUMENT, WorkerSetting.HANDLER.label() + " must be set")));
      Handshake hs = handshake != null ? handshake : new HttpHandshake(settings.coordinatorUrl(), settings.secret(),
          settings.queue(), settings.workerName(), clock, settings.coordinatorCaFile().map(
              f -> TrustedCertificates.fromPem(f, WorkerSetting.COORDINATOR_CA_FILE.env())).orElse(null));
      WorkerRuntime runtime = new WorkerRuntime(settings, clock, nanoTime, meters);
      runtime.wrapConsumer = wrapConsumer;
      runtime.rejoinEvery = rejoinEvery;
      try {
        runtime.start(h, hs);
        if (meters != null) {
          runtime.meters.addAll(WorkerMeters.bind(meters, settings.queue(), settings.concurrency(), runtime.stats,
              runtime.loop));
        }
        return runtime;
      } catch (RuntimeException e) {
        runtime.closing.set(true);
        try {
          if (runtime.loop != null) {
            runtime.loop.crash();
          }
          runtime.shutDown(Duration.ZERO);
        } finally {
          runtime.removeMeters();
          runtime.closed.complete(null);
        }
        throw e;
      }
    }
  }
}
