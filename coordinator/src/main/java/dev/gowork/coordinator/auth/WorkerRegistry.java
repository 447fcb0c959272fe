package dev.gowork.coordinator.auth;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.RevokeNotice;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.state.Journal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The workers a coordinator knows, their challenges and sessions. Implements {@link Workers} for
 * users; the other public methods are for the coordinator's own request and result checks.
 *
 * <p>Handshake: {@link #register} gives a worker id made of random bytes and the registration time,
 * and a single-use challenge derived from it with the secret ({@link SessionKeys#challenge}), which
 * expires after {@code challengeTtl}. Any coordinator of the prefix can recompute it, so a worker may
 * verify with another coordinator than the one it registered with. {@link #verify} checks the answer
 * in constant time and derives the session key with {@link SessionKeys}. Failed answers spend a token from a per-worker and a global
 * bucket; with either bucket empty, verify answers {@code RATE_LIMITED} without checking. Every
 * failure says the same thing, so it reveals nothing. Each entry is changed under its own monitor;
 * time comes from the injected sources only: times that are shown or shared with other coordinators
 * (registration, challenge and session expiry, last seen) from the clock, and what is a local duration
 * (the buckets' refill, forgetting an ended worker an hour later) from the monotonic nanoTime, so that a
 * step of the wall clock (NTP, a resumed VM) neither stalls nor hurries them.
 *
 * <p>Durability: each opened or ended session appends its record ({@link SessionRecords}, never the
 * key) to the {@link Journal}, and {@link #verify} returns only once it is committed, so a result
 * signed with the key still verifies after a coordinator restart ({@link #restore} re-derives it).
 * Unanswered registrations are not stored: a worker that was mid-handshake registers again. The name a
 * worker gave at registration is kept in its session record, so other coordinators and a restarted one
 * list it too; a worker that verifies with another coordinator than the one it registered with is listed
 * without it (only the id crosses between them before the session record).
 *
 * <p>Bounds: registering is anonymous, so nothing a registration leaves behind may crowd out real
 * workers. Unanswered registrations (and ids a verify named but nobody has answered for) live in a
 * bounded, oldest-first table of their own, only for their rate limit and for {@link #list}; since the
 * challenge is derived from the id, one pushed out of that table still verifies. Only a right answer,
 * which takes the secret, adds a worker to the table that {@code maxWorkers} caps.
 */
public final class WorkerRegistry implements Workers {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How far ahead of this clock another coordinator's registration time may be. */
  private static final long CLOCK_SKEW_MILLIS = 30_000;
  private static final int MAX_ID_CHARS = 200;
  /** The shape of the ids {@link #register} gives: 8 random bytes in hex, then the time in base 36. */
  private static final java.util.regex.Pattern REGISTERED_ID = java.util.regex.Pattern.compile(
      "w-[0-9a-f]{16}-[0-9a-z]{1,13}");
  private static final int MAX_RESPONSE_CHARS = 512;
  private static final String REFUSED = "worker verification failed";
  /** How long an ended worker is kept (listed, its ended session known), on the monotonic nanoTime. */
  private static final long KEEP_ENDED_NANOS = java.time.Duration.ofHours(1).toNanos();

  private final SharedSecret secret;
  private final SessionKeys keys;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final EventDispatcher events;
  private final AuthSettings settings;
  private final TokenBucket globalFailures;
  /** Workers that verified (active, or ended within the last hour): at most {@code maxWorkers}. */
  private final ConcurrentHashMap<String, WorkerEntry> entries = new ConcurrentHashMap<>();
  /** Unanswered registrations, oldest first, at most {@code maxWorkers}; guarded by itself. */
  private final LinkedHashMap<String, WorkerEntry> pending;
  private final Journal journal;
  private volatile java.util.function.Predicate<String> decides = id -> true;
  private volatile java.util.function.Consumer<String> revokeElsewhere;
  private volatile java.util.function.Consumer<String> announceRevocation;

  /** @param nanoTime the monotonic time source of local durations, {@code System::nanoTime} outside tests */
  public WorkerRegistry(SharedSecret secret, Clock clock, LongSupplier nanoTime, EventDispatcher events,
      AuthSettings settings) {
    this(secret, clock, nanoTime, events, settings, Journal.discarding());
  }

  /** @param nanoTime the monotonic time source of local durations, {@code System::nanoTime} outside tests */
  public WorkerRegistry(SharedSecret secret, Clock clock, LongSupplier nanoTime, EventDispatcher events,
      AuthSettings settings, Journal journal) {
    this.journal = journal;
    this.secret = secret;
    this.keys = new SessionKeys(secret);
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.events = events;
    this.settings = settings;
    this.globalFailures = new TokenBucket(settings.globalFailureBurst(), settings.globalFailureRefill(),
        nanoTime.getAsLong());
    int cap = settings.maxWorkers();
    this.pending = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, WorkerEntry> eldest) {
        return size() > cap;
      }
    };
  }

  @Override
  public Registration register(String name) {
    WorkerNames.check(name);
    long now = clock.millis();
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    String workerId = "w-" + HexFormat.of().formatHex(id) + "-" + Long.toString(now, 36);
    String challenge = keys.challenge(workerId);
    WorkerEntry e = newEntry(workerId, name, challenge, now);
    synchronized (pending) {
      pending.put(workerId, e);
    }
    events.event(EventType.WORKER_REGISTERED).worker(workerId).workerName(name).fire();
    return new Registration(workerId, challenge);
  }

  private WorkerEntry newEntry(String workerId, String name, String challenge, long issuedAt) {
    return new WorkerEntry(workerId, name, challenge, issuedAt, settings.challengeTtl().toMillis(), workerFailures());
  }

  private TokenBucket workerFailures() {
    return new TokenBucket(settings.workerFailureBurst(), settings.workerFailureRefill(), nanoTime.getAsLong());
  }

  @Override
  public Session verify(String workerId, String response) {
    long now = clock.millis();
    long nowNanos = nanoTime.getAsLong();
    WorkerEntry known = workerId == null || workerId.length() > MAX_ID_CHARS ? null : find(workerId, now);
    String shownId = known == null ? null : workerId;
    String shownName = known == null ? null : known.name;
    // Only an open registration can still be answered, so only it has a rate limit: a verified worker's
    // id, or one whose challenge expired, is answered exactly as an id nobody registered (401, never 429),
    // so that a wrong answer does not tell known ids from unknown ones.
    WorkerEntry e = known == null || !answerable(known, now) ? null : known;
    // Guesses are limited per worker id. Failures elsewhere never refuse a right answer (a flood of
    // wrong answers for made-up ids would otherwise lock every worker out); they only cap how many
    // worker_verify_error events a flood writes to Kafka.
    if (e != null && !e.failures.hasToken(nowNanos)) {
      if (globalFailures.tryTake(nowNanos)) {
        events.event(EventType.WORKER_VERIFY_ERROR).worker(shownId).workerName(shownName).error("rate limited")
            .fire();
      }
      throw new GoWorkException(ErrorCode.RATE_LIMITED, "too many failed verifications; try again later");
    }
    if (e != null && response != null && response.length() <= MAX_RESPONSE_CHARS) {
      Session opened = null;
      synchronized (e) {
        if (e.state == WorkerState.PENDING && e.challengeOpen(now)
            && Signatures.checkVerifyResponse(secret, workerId, e.challenge, response)) {
          if (entries.size() >= settings.maxWorkers()) {
            throw new GoWorkException(ErrorCode.RATE_LIMITED, "too many registered workers; try again later");
          }
          opened = journal.atomically(() -> open(e, now));
          // Known as verified before it leaves the pending table, so its id never looks unanswered.
          entries.put(workerId, e);
          synchronized (pending) {
            pending.remove(workerId, e);
          }
        }
      }
      if (opened != null) {
        journal.flushAndWait();
        return opened;
      }
    }
    if (e != null) {
      e.failures.tryTake(nowNanos);
    }
    if (globalFailures.tryTake(nowNanos)) {
      events.event(EventType.WORKER_VERIFY_ERROR).worker(shownId).workerName(shownName).error(REFUSED).fire();
    }
    throw new GoWorkException(ErrorCode.UNAUTHENTICATED, REFUSED);
  }

  private static boolean answerable(WorkerEntry e, long now) {
    synchronized (e) {
      return e.state == WorkerState.PENDING && e.challengeOpen(now);
    }
  }

  /** The entry of {@code workerId}: a verified worker, an unanswered registration, or null. */
  private WorkerEntry find(String workerId, long now) {
    WorkerEntry verified = entries.get(workerId);
    if (verified != null) {
      return verified;
    }
    synchronized (pending) {
      WorkerEntry e = pending.get(workerId);
      if (e == null) {
        e = registeredElsewhere(workerId, now);
        if (e != null) {
          pending.put(workerId, e);
        }
      }
      return e;
    }
  }

  /**
   * A registration this table no longer holds: another coordinator's, or one pushed out (its id
   * carries the time; the challenge is derived from it). Recreated while its challenge is still open,
   * so the worker may verify here.
   */
  private WorkerEntry registeredElsewhere(String workerId, long now) {
    // Only the shape register() gives (every coordinator's), so that a caller's made-up text is neither
    // kept nor listed nor copied into events.
    if (!REGISTERED_ID.matcher(workerId).matches()) {
      return null;
    }
    int dash = workerId.lastIndexOf('-');
    long issuedAt;
    try {
      issuedAt = Long.parseLong(workerId.substring(dash + 1), 36);
    } catch (NumberFormatException notOurs) {
      return null;
    }
    long ttl = settings.challengeTtl().toMillis();
    if (issuedAt > now + CLOCK_SKEW_MILLIS || now - issuedAt >= ttl) {
      return null;
    }
    return newEntry(workerId, null, keys.challenge(workerId), issuedAt);
  }

  @Override
  public void revoke(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null) {
      throw new GoWorkException(ErrorCode.NOT_FOUND, "no worker with that id");
    }
    if (!decides.test(workerId) && revokeElsewhere != null) {
      revokeElsewhere.accept(workerId);
    } else {
      revokeWithoutWaiting(workerId);
      // Durable before it returns: a revoked worker must stay revoked across a crash of this coordinator.
      journal.flushAndWait();
    }
    // Committed now (here, or seen mirrored from the coordinator that decides): the others are told.
    java.util.function.Consumer<String> announce = announceRevocation;
    if (announce != null) {
      announce.accept(workerId);
    }
  }

  /**
   * Has {@link #revoke} call {@code announce} once the revocation is committed, before it returns, so
   * that every coordinator stops taking results signed with the session from then on, not only once
   * it has read the revocation.
   */
  public void announcesRevocationsWith(java.util.function.Consumer<String> announce) {
    this.announceRevocation = announce;
  }

  /**
   * {@link #revoke} for the coordinator that decides about the worker, without waiting for the
   * commit: on the results thread, whose next commit carries it.
   *
   * @throws GoWorkException NOT_FOUND for an unknown id; CONFLICT when another coordinator decides about it
   */
  public void revokeWithoutWaiting(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null) {
      throw new GoWorkException(ErrorCode.NOT_FOUND, "no worker with that id");
    }
    long now = clock.millis();
    synchronized (e) {
      journal.atomically(() -> {
        // Only the coordinator that decides about the worker ends its session, so worker_expired fires once;
        // checked inside the unit, as for an expiry, so a revocation never lands after a hand-over.
        if (!decides.test(workerId)) {
          throw new GoWorkException(ErrorCode.CONFLICT, "worker " + workerId + " belongs to another coordinator "
              + "(the one that owns its results partition), which changed just now; try again");
        }
        if (e.end(WorkerState.REVOKED, nanoTime.getAsLong())) {
          events.event(EventType.WORKER_EXPIRED).worker(workerId).workerName(e.name).error("revoked").fire();
          // Tells the replica holding the session, so it verifies again instead of writing refused results.
          journal.put(Journal.Kind.CONTROL, workerId, new RevokeNotice(workerId, Instant.ofEpochMilli(now))
              .encode(WireCodec.defaults()));
        }
        save(e);
        return null;
      });
    }
  }

  /**
   * Has {@link #revoke} of a worker another coordinator decides about call {@code elsewhere} (which
   * forwards it to that coordinator) instead of refusing it.
   */
  public void forwardsRevocationsTo(java.util.function.Consumer<String> elsewhere) {
    this.revokeElsewhere = elsewhere;
  }

  /** The state of a known worker (this coordinator's or mirrored), or empty. */
  public Optional<WorkerState> state(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      return Optional.of(e.state);
    }
  }

  @Override
  public List<WorkerSummary> list() {
    List<WorkerEntry> all = new ArrayList<>(entries.values());
    synchronized (pending) {
      all.addAll(pending.values());
    }
    List<WorkerSummary> out = new ArrayList<>();
    for (WorkerEntry e : all) {
      synchronized (e) {
        out.add(e.summary());
      }
    }
    out.sort(Comparator.comparing(WorkerSummary::registeredAt).thenComparing(WorkerSummary::workerId));
    return out;
  }

  /**
   * True when {@code sessionKey} is the open session of {@code workerId} (constant-time); notes the
   * worker as seen. An expired session found here ends (fires {@code worker_expired}).
   */
  @Override
  public boolean authenticate(String workerId, String sessionKey) {
    long now = clock.millis();
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null || sessionKey == null) {
      return false;
    }
    synchronized (e) {
      expireIfDue(e, now);
      if (!e.sessionOpen(now) || !Signatures.constantTimeEquals(e.sessionKey, sessionKey)) {
        return false;
      }
      e.lastSeen = now;
      return true;
    }
  }

  /** The session key of an open session, for checking a result's signature. */
  public Optional<String> sessionKey(String workerId) {
    return withVerified(workerId, (e, now) -> e.sessionOpen(now) ? Optional.of(e.sessionKey) : Optional.empty());
  }

  /** Runs {@code f} on the verified worker's entry under its monitor, after ending a session that is due. */
  private Optional<String> withVerified(String workerId,
      java.util.function.BiFunction<WorkerEntry, Long, Optional<String>> f) {
    long now = clock.millis();
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      expireIfDue(e, now);
      return f.apply(e, now);
    }
  }

  /**
   * The key of the session {@code workerId} had open at {@code atMillis}, also when it has expired
   * since (derived again from what the registry keeps): for a result that reached Kafka while its
   * session was open and is read later, e.g. after a coordinator restart. Empty for a revoked worker.
   */
  public Optional<String> sessionKeyAt(String workerId, long atMillis) {
    return withVerified(workerId, (e, now) -> {
      if (atMillis >= e.sessionExpiresAt) {
        return Optional.empty();
      }
      if (e.state == WorkerState.ACTIVE && e.sessionKey != null) {
        return Optional.of(e.sessionKey);
      }
      if (e.state == WorkerState.EXPIRED && e.nonce != null) {
        return Optional.of(keys.derive(e.workerId, e.nonce, e.sessionExpiresAt));
      }
      return Optional.empty();
    });
  }

  /**
   * For an event about a request that failed authentication: true when it may be reported, at the
   * rate {@code worker_verify_error} is (the global bucket), so a flood writes few events.
   */
  public boolean mayReportFailure() {
    return globalFailures.tryTake(nanoTime.getAsLong());
  }

  /**
   * The id to name in such an event: {@code workerId} when this registry knows it, else null (a
   * caller's text is not copied into events).
   */
  public String shownId(String workerId) {
    if (workerId == null || entries.containsKey(workerId)) {
      return workerId;
    }
    synchronized (pending) {
      return pending.containsKey(workerId) ? workerId : null;
    }
  }

  /**
   * The name {@code workerId} gave when it registered, for events about it: null when it gave none, or
   * when this registry does not know the id (see {@link #shownId}).
   */
  public String name(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e == null) {
      synchronized (pending) {
        e = workerId == null ? null : pending.get(workerId);
      }
    }
    return e == null ? null : e.name;
  }

  /**
   * The name of {@code workerId} when it is a verified worker of this table (its session open or ended
   * within the hour), for the work events about it; null when it gave none, or verified with another
   * coordinator than the one it registered with (its session record has no name then). One map lookup,
   * no lock: it is on the path of every result.
   */
  public String verifiedName(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    return e == null ? null : e.name;
  }

  /** Notes that a worker was seen (e.g. an accepted result). */
  public void touch(String workerId) {
    WorkerEntry e = workerId == null ? null : entries.get(workerId);
    if (e != null) {
      synchronized (e) {
        e.lastSeen = Math.max(e.lastSeen, clock.millis());
      }
    }
  }

  /**
   * The {@code ExpireSessions} duty: ends sessions past their expiry (fires {@code worker_expired}
   * once each), drops unanswered registrations whose challenge expired, and forgets ended workers
   * after an hour (on the monotonic nanoTime).
   *
   * @return how many sessions it ended
   */
  public int expireSessions() {
    long now = clock.millis();
    long nowNanos = nanoTime.getAsLong();
    int ended = 0;
    synchronized (pending) {
      pending.values().removeIf(e -> !e.challengeOpen(now));
    }
    for (WorkerEntry e : entries.values()) {
      synchronized (e) {
        if (expireIfDue(e, now)) {
          ended++;
        } else if (e.ended && nowNanos - e.endedAtNanos > KEEP_ENDED_NANOS && entries.remove(e.workerId, e)
            && e.nonce != null) {
          forgotten(e);
        }
      }
    }
    return ended;
  }

  /** Deletes the record of an ended session this table let go of, when this coordinator decides about it. */
  private void forgotten(WorkerEntry e) {
    // Checked inside the unit, as for an expiry (expireIfDue): no tombstone lands after a hand-over.
    journal.atomically(() -> {
      if (decides.test(e.workerId)) {
        journal.put(Journal.Kind.SESSION, e.workerId, null);
      }
      return null;
    });
  }

  private Session open(WorkerEntry e, long now) {
    e.challenge = null;
    e.nonce = Signatures.randomToken();
    e.sessionExpiresAt = now + settings.sessionTtl().toMillis();
    e.sessionKey = keys.derive(e.workerId, e.nonce, e.sessionExpiresAt);
    e.state = WorkerState.ACTIVE;
    e.lastSeen = now;
    events.event(EventType.WORKER_VERIFY).worker(e.workerId).workerName(e.name).fire();
    save(e);
    return new Session(e.workerId, e.sessionKey, Instant.ofEpochMilli(e.sessionExpiresAt));
  }

  /**
   * Limits who ends sessions: with several coordinators, only the one that {@code decides} about a
   * worker id ends its session and fires {@code worker_expired} (on expiry or {@link #revoke}), and
   * deletes its record an hour after; for the others an expired session is simply closed, an ended one
   * forgotten, and a revocation refused.
   */
  public void endsSessionsOf(java.util.function.Predicate<String> decides) {
    this.decides = decides;
  }

  private boolean expireIfDue(WorkerEntry e, long now) {
    if (e.state == WorkerState.ACTIVE && now >= e.sessionExpiresAt) {
      // The ownership check belongs to the unit: a coordinator giving up the worker's partition drains
      // the journal after it dropped the partition, so an expiry decided as owner is committed before
      // the new owner reads the sessions, and one not yet decided is left to the new owner.
      return journal.atomically(() -> {
        if (!decides.test(e.workerId) || !e.end(WorkerState.EXPIRED, nanoTime.getAsLong())) {
          return false;
        }
        events.event(EventType.WORKER_EXPIRED).worker(e.workerId).workerName(e.name).error("session expired")
            .fire();
        save(e);
        return true;
      });
    }
    return false;
  }

  /**
   * Rebuilds a worker's session from its record (at start); an active one gets its key derived
   * again. Fires nothing.
   *
   * @return false, with {@code problem[0]} set, when the record is not a valid session record
   */
  public boolean restore(String workerId, byte[] value, String[] problem) {
    SessionRecords.Stored s = SessionRecords.decode(workerId, value, problem);
    if (s == null) {
      return false;
    }
    WorkerEntry e = new WorkerEntry(s.workerId(), s.name(), null, s.registeredAt(), 0, workerFailures());
    e.challenge = null;
    e.nonce = s.nonce();
    e.sessionExpiresAt = s.expiresAt();
    e.state = s.state();
    if (s.state() == WorkerState.ACTIVE) {
      e.sessionKey = keys.derive(s.workerId(), s.nonce(), s.expiresAt());
    } else {
      e.ended = true;
      e.endedAtNanos = nanoTime.getAsLong();
    }
    entries.put(s.workerId(), e);
    return true;
  }

  private void save(WorkerEntry e) {
    if (journal.isDurable() && e.nonce != null) {
      journal.put(Journal.Kind.SESSION, e.workerId, SessionRecords.encode(e));
    }
  }
}
