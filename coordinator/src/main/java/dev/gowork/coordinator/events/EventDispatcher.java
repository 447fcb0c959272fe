package dev.gowork.coordinator.events;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.state.Journal;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires events: each one goes to the events topic (through {@code sink}) and to the in-process
 * listeners and handler registered for its id. Internal to the coordinator; users reach it through
 * {@code WorkServer}.
 *
 * <p>Concurrency: {@link #emit} only enqueues, so it is safe on any thread (including Kafka callback
 * threads). One thread ({@code gowork-publish-events}) hands events to the sink; another
 * ({@code gowork-dispatch-events}) calls listeners and handlers in emission order, so a slow handler
 * never delays publishing. A listener or handler that throws is logged with the work id and counted.
 *
 * <p>Durable mode ({@link #toJournal}): an event is appended to the {@link Journal} on the emitting
 * thread (inside the caller's {@code atomically} unit, with the state change that caused it), and
 * reaches listeners and handlers through the {@link HandlerFeed} once its transaction committed:
 * at once through {@link #deliverLater}, or when read back from the events topic through
 * {@link #deliverAndWait}. Across a crash, handlers therefore see an event at least once, never one
 * that a crash took back. With {@link HandlerTiming#APPLY} they see this coordinator's events when
 * emitted instead, still at least once (see there).
 */
public final class EventDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
  /** Longest error text an event carries; longer ones (they may quote a sender) are cut. */
  static final int MAX_ERROR_CHARS = 4096;

  private final Clock clock;
  private final Consumer<Event> sink;
  private final Journal journal;
  private final WireCodec codec;
  private final ConcurrentMap<EventType, EventHandler> handlers = new ConcurrentHashMap<>();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, Object> params = Map.of();
  private final ExecutorService publishing = Executors.newSingleThreadExecutor(named("gowork-publish-events"));
  private final ExecutorService dispatching = Executors.newSingleThreadExecutor(named("gowork-dispatch-events"));
  private final AtomicLong handlerFailures = new AtomicLong();
  private volatile Predicate<String> dispatchOnEmit;

  /** @param sink where each event is published (e.g. the events topic); called on one thread */
  public EventDispatcher(Clock clock, Consumer<Event> sink) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.journal = null;
    this.codec = null;
  }

  private EventDispatcher(Clock clock, Journal journal, WireCodec codec) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sink = e -> { };
    this.journal = journal;
    this.codec = codec;
  }

  /**
   * A dispatcher that journals events (see the class note); listeners and handlers are fed by a
   * {@link HandlerFeed} reading the events topic, i.e. once the events' transaction committed.
   */
  public static EventDispatcher toJournal(Clock clock, Journal journal, WireCodec codec) {
    return new EventDispatcher(clock, journal, codec);
  }

  /** A dispatcher that publishes to {@code topic} as {@code WireCodec.encode(Event)}, key {@link Event#key()}. */
  public static EventDispatcher toKafka(Clock clock, Producer<String, byte[]> producer, WireCodec codec, String topic) {
    return new EventDispatcher(clock, new EventPublisher(producer, codec, topic)::publish);
  }

  /** Starts an event of {@code type}, timed now; {@link Draft#fire()} emits it. */
  public Draft event(EventType type) {
    return new Draft(type);
  }

  /**
   * Calls listeners and handlers for {@code events}, in order, on the dispatch thread, and waits
   * until they returned.
   *
   * @return false when the dispatcher was closed or crashed meanwhile (some may not have run)
   */
  boolean deliverAndWait(List<Event> events) {
    if (events.isEmpty()) {
      return true;
    }
    try {
      deliverLater(events).get();
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Calls listeners and handlers for {@code events}, in order, on the dispatch thread, after what is
   * queued there already; does not wait.
   *
   * @return completes once they returned; fails when the dispatcher was closed or crashed first
   */
  CompletableFuture<Void> deliverLater(List<Event> events) {
    Delivery d = new Delivery(events);
    run(d);
    return d.done;
  }

  private void run(Delivery d) {
    try {
      dispatching.execute(d);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      d.done.completeExceptionally(closed);
    }
  }

  /** A batch for the dispatch thread; its future also ends when the dispatcher stops before running it. */
  private final class Delivery implements Runnable {
    final List<Event> events;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Delivery(List<Event> events) {
      this.events = events;
    }

    @Override
    public void run() {
      try {
        events.forEach(EventDispatcher.this::dispatch);
      } catch (RuntimeException e) {
        LOG.warn("dispatching events failed", e);
      } finally {
        done.complete(null);
      }
    }
  }

  /** Stops the dispatch thread now; batches it did not run fail their futures. */
  private void stopDispatching() {
    for (Runnable dropped : dispatching.shutdownNow()) {
      if (dropped instanceof Delivery d) {
        d.done.completeExceptionally(new IllegalStateException("the dispatcher stopped"));
      }
    }
  }

  /**
   * From now on (journal mode), hands an event to listeners and handlers when it is emitted, before
   * its transaction commits, if {@code readHere} says its key's events partition is read by this
   * coordinator's feed ({@link HandlerTiming#APPLY}); other events still wait for their commit.
   */
  void dispatchOnEmit(Predicate<String> readHere) {
    dispatchOnEmit = readHere;
  }

  /** Publishes and dispatches an event (asynchronously, in order). */
  public void emit(Event e) {
    if (journal != null) {
      Predicate<String> early = dispatchOnEmit;
      if (early != null && e.key() != null && early.test(e.key())) {
        Delivery d = new Delivery(List.of(e));
        if (journal.event(e, codec.encode(e), d.done)) {
          run(d);
        }
      } else {
        journal.event(e, codec.encode(e));
      }
      return;
    }
    try {
      publishing.execute(() -> publish(e));
      dispatching.execute(() -> dispatch(e));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      LOG.debug("event {} dropped: dispatcher closed", e.type().id());
    }
  }

  /**
   * Registers the handler for one event id.
   *
   * @throws GoWorkException INVALID_ARGUMENT for an unknown id, CONFLICT when the id already has a handler
   *     (both also fire {@code add_handler_error})
   */
  public void register(String eventId, EventHandler handler) {
    Objects.requireNonNull(handler, "handler");
    EventType type = EventType.fromId(eventId);
    if (type == null) {
      String msg = "unknown event id '" + clip(eventId) + "'";
      event(EventType.ADD_HANDLER_ERROR).error(msg).fire();
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, msg);
    }
    if (handlers.putIfAbsent(type, handler) != null) {
      String msg = "a handler for event id '" + eventId + "' already exists";
      event(EventType.ADD_HANDLER_ERROR).error(msg).fire();
      throw new GoWorkException(ErrorCode.CONFLICT, msg);
    }
  }

  /** Merges {@code more} into the parameters passed to every handler. */
  public synchronized void addParams(Map<String, Object> more) {
    Map<String, Object> merged = new HashMap<>(params);
    merged.putAll(Objects.requireNonNull(more, "params"));
    params = java.util.Collections.unmodifiableMap(merged);
  }

  public Map<String, Object> params() {
    return params;
  }

  /** Adds a listener called for every event, before the event's handler (e.g. for metrics). */
  public void onEvent(Consumer<Event> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** How many handler or listener calls threw. */
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** Stops at once, dropping what is queued (a crash). */
  public void crash() {
    publishing.shutdownNow();
    stopDispatching();
  }

  /** Delivers what is queued (for up to 5 s), then stops. */
  @Override
  public void close() {
    publishing.shutdown();
    dispatching.shutdown();
    try {
      publishing.awaitTermination(5, TimeUnit.SECONDS);
      dispatching.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publishing.shutdownNow();
    stopDispatching();
  }

  private void publish(Event e) {
    try {
      sink.accept(e);
    } catch (RuntimeException error) {
      LOG.warn("publishing event {} for {} failed: {}", e.type().id(), e.key(), error.toString());
    }
  }

  private void dispatch(Event e) {
    for (Consumer<Event> l : listeners) {
      try {
        l.accept(e);
      } catch (Throwable error) { // a listener's checked (sneaky) exception or Error must not skip later events
        failed("listener", e, error);
      }
    }
    EventHandler h = handlers.get(e.type());
    if (h != null) {
      try {
        h.handle(e, params);
      } catch (Throwable error) { // also a Kotlin handler's IOException or a StackOverflowError: later events still run
        failed("handler", e, error);
      }
    }
  }

  private void failed(String what, Event e, Throwable error) {
    handlerFailures.incrementAndGet();
    LOG.warn("{} for event {} threw (work {}, worker {})", what, e.type().id(), e.workId(), e.workerId(), error);
  }

  private static String clip(String s) {
    return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** An event being built; {@link #fire()} emits it. Fields left unset are null. */
  public final class Draft {
    private final EventType type;
    private String queue;
    private String workId;
    private String workerId;
    private String workerName;
    private Integer attempt;
    private Integer maxAttempts;
    private Long durationMs;
    private String error;

    private Draft(EventType type) {
      this.type = type;
    }

    public Draft queue(String q) {
      queue = q;
      return this;
    }

    public Draft work(String id) {
      workId = id;
      return this;
    }

    public Draft worker(String id) {
      workerId = id;
      return this;
    }

    /** The worker's name as its registration gave it (already checked there), or null for none. */
    public Draft workerName(String name) {
      workerName = name;
      return this;
    }

    public Draft attempt(int n) {
      attempt = n;
      return this;
    }

    /** The attempts the work may have, so a reader can tell a final failure from one that is retried. */
    public Draft maxAttempts(int n) {
      maxAttempts = n;
      return this;
    }

    /**
     * The time from the add; never negative (the wire format's readers refuse a negative one): a clock
     * that stepped back since the add, or an owner whose clock is behind the adding coordinator's, gives 0.
     */
    public Draft durationMs(long ms) {
      durationMs = Math.max(0, ms);
      return this;
    }

    /** The event's error text, cut at {@value #MAX_ERROR_CHARS} characters (it may quote a sender). */
    public Draft error(String message) {
      error = message == null || message.length() <= MAX_ERROR_CHARS ? message
          : message.substring(0, MAX_ERROR_CHARS) + "…";
      return this;
    }

    /** Emits the event and returns it. */
    public Event fire() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
      long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      Event e = new Event(new UUID(hi, lo).toString(), type, clock.instant().truncatedTo(ChronoUnit.MILLIS), queue,
          workId, workerId, workerName, attempt, maxAttempts, durationMs, error);
      emit(e);
      return e;
    }
  }
}
