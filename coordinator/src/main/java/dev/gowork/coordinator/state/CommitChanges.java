package dev.gowork.coordinator.state;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit step of the results loop. The results thread {@link #handOff hands off} a cut after
 * each poll: everything the journal holds (whole {@code atomically} units) plus the offsets of the
 * results processed since the last cut. A committer thread of its own ({@code gowork-commit}) puts
 * every cut handed off meanwhile into one Kafka transaction, in order. So the results thread keeps
 * polling while a transaction is in flight (it used to wait for each one, and a result that arrived
 * meanwhile waited up to two commits to be fetched), and a state change, its events and the offset of
 * the result that caused it still land in the same transaction or a later one together, never apart:
 * the cut is taken on the thread that made the changes.
 *
 * <p>A transaction starts at most once per {@code interval} (0: as soon as the previous one ended).
 * Each costs the broker several requests and log appends (verification, offsets, end, markers), and
 * one begun while the previous one's markers are written is refused with
 * {@code CONCURRENT_TRANSACTIONS} and retried; spacing them puts more into each (docs/benchmarks.md).
 * Stopping commits what is pending at once.
 *
 * <p>Failure modes: what fails to commit stays pending and goes into the next attempt (after a
 * pause), whole and in order. Being fenced (a takeover) or refused as not authorized stops the
 * committer for good; {@link #failure()} says which, and the results loop stops. {@link #crash()} stops without committing what is pending.
 */
public final class CommitChanges {
  private static final Logger LOG = LoggerFactory.getLogger(CommitChanges.class);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

  private final Journal journal;
  private final TransactionalWriter writer;
  private final InstanceTakeover takeover;
  private final Thread thread;
  /** Results processed since the last cut (results thread only). */
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();

  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<Cut> cuts = new ArrayDeque<>();
  private final List<Journal.Entry> pendingEntries = new ArrayList<>();
  private final Map<TopicPartition, OffsetAndMetadata> pendingOffsets = new HashMap<>();
  private final long intervalNanos;
  private long lastCut;
  /** When the last transaction started (committer thread). */
  private long lastStart;
  private long committedCut;
  private boolean flushWanted;
  private boolean committing;
  private boolean stopping;
  private boolean crashing;

  private volatile ConsumerGroupMetadata group;
  private volatile Runnable wakeResults = () -> { };
  private volatile RuntimeException failure;

  private record Cut(long id, List<Journal.Entry> entries, Map<TopicPartition, OffsetAndMetadata> offsets) {}

  /** A committer that starts a transaction as soon as the previous one ended. */
  public CommitChanges(Journal journal, TransactionalWriter writer) {
    this(journal, writer, Duration.ZERO);
  }

  /**
   * A committer that starts a transaction at most once per {@code interval}.
   *
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public CommitChanges(Journal journal, TransactionalWriter writer, Duration interval) {
    this(journal, writer, interval, null);
  }

  /**
   * As above; being fenced is recorded in {@code takeover} (shared with the coordinator's other duties),
   * null for one of this committer's own.
   *
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public CommitChanges(Journal journal, TransactionalWriter writer, Duration interval, InstanceTakeover takeover) {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, was " + interval);
    }
    this.journal = journal;
    this.writer = writer;
    this.takeover = takeover != null ? takeover : new InstanceTakeover(writer.transactionalId());
    this.intervalNanos = interval.toNanos();
    this.lastStart = System.nanoTime() - intervalNanos;
    this.thread = new Thread(this::loop, "gowork-commit");
    this.thread.setDaemon(true);
  }

  /**
   * Starts the committer. {@code wakeResults} hurries the results loop into a cut (e.g. by waking its
   * consumer) when {@link Journal#flush()} callers wait: at once when no transaction is in flight,
   * else when it ends, so that one wake serves every add that arrived meanwhile.
   */
  public void attach(Runnable wakeResults) {
    this.wakeResults = wakeResults;
    journal.attach(this::flushWanted);
    thread.start();
  }

  private void flushWanted() {
    synchronized (lock) {
      if (!flushWanted) {
        flushWanted = true;
        if (!committing) {
          wakeResults.run();
        }
      }
    }
  }

  /** Notes that the record at {@code offset} was processed (results thread). */
  public void consumed(String topic, int partition, long offset) {
    offsets.merge(new TopicPartition(topic, partition), new OffsetAndMetadata(offset + 1),
        (a, b) -> a.offset() >= b.offset() ? a : b);
  }

  /**
   * The consumer's current group metadata (results thread, after every poll): the committer sends
   * offsets under it, so a commit that failed on a generation that ended is retried under the new
   * one even when nothing new was handed off.
   */
  public void groupMetadata(ConsumerGroupMetadata groupMetadata) {
    group = groupMetadata;
  }

  /** True when there is something to hand off (results thread). */
  public boolean due() {
    return !offsets.isEmpty() || journal.hasPending();
  }

  /**
   * Hands what the journal holds and the offsets processed so far to the committer (results thread).
   *
   * @return the cut's number, for {@link #awaitCommitted}; the last one when there was nothing new
   */
  public long handOff(ConsumerGroupMetadata groupMetadata) {
    group = groupMetadata;
    synchronized (lock) {
      flushWanted = false;
    }
    List<Journal.Entry> entries = journal.drain();
    synchronized (lock) {
      if (entries.isEmpty() && offsets.isEmpty()) {
        return lastCut;
      }
      Cut cut = new Cut(++lastCut, entries, new HashMap<>(offsets));
      offsets.clear();
      cuts.add(cut);
      lock.notifyAll();
      return cut.id();
    }
  }

  /**
   * Waits until cut {@code id} (and every one before it) is committed.
   *
   * @return false when it was not within {@code timeout}, or the committer stopped
   */
  public boolean awaitCommitted(long id, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (committedCut < id && failure == null && !crashing) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return committedCut >= id;
    }
  }

  /** Where being fenced is recorded (shared with the coordinator's other duties). */
  public InstanceTakeover takeover() {
    return takeover;
  }

  /** Why the committer stopped for good (fenced, or a bug), or null while it runs. */
  public RuntimeException failure() {
    return failure;
  }

  /** Forgets offsets of partitions this consumer no longer owns (their results are re-read by the new owner). */
  public void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(offsets::remove);
    synchronized (lock) {
      partitions.forEach(pendingOffsets::remove);
      for (Cut c : cuts) {
        partitions.forEach(c.offsets()::remove);
      }
    }
  }

  private void loop() {
    try {
      while (true) {
        List<Journal.Entry> entries;
        Map<TopicPartition, OffsetAndMetadata> toCommit;
        long upTo;
        synchronized (lock) {
          while (!crashing && cuts.isEmpty() && pendingEntries.isEmpty() && pendingOffsets.isEmpty() && !stopping) {
            lock.wait();
          }
          if (crashing || (stopping && cuts.isEmpty() && pendingEntries.isEmpty() && pendingOffsets.isEmpty())) {
            return;
          }
          awaitInterval();
          if (crashing) {
            return;
          }
          lastStart = System.nanoTime();
          for (Cut c = cuts.poll(); c != null; c = cuts.poll()) {
            pendingEntries.addAll(c.entries());
            c.offsets().forEach((tp, o) -> pendingOffsets.merge(tp, o, (a, b) -> a.offset() >= b.offset() ? a : b));
          }
          upTo = lastCut;
          entries = List.copyOf(pendingEntries);
          toCommit = new HashMap<>(pendingOffsets);
          committing = true;
        }
        boolean committed = writer.commit(entries, toCommit, group);
        synchronized (lock) {
          committing = false;
          if (committed) {
            pendingEntries.clear();
            pendingOffsets.clear();
            committedCut = upTo;
            lock.notifyAll();
          }
          if (flushWanted) {
            wakeResults.run();
          }
        }
        if (committed) {
          journal.committed(entries);
        } else {
          pause();
        }
      }
    } catch (TransactionalWriter.Fenced e) {
      // Logged once, by the takeover (the results loop or the handler feed may have noticed it first).
      takeover.noticed("transactional id " + writer.transactionalId() + " (or fenced it after the coordinators' "
          + "group had dropped this one)", e.getCause());
      fail(e);
    } catch (TransactionalWriter.NotAuthorized e) {
      LOG.error("{}; this coordinator stops committing", e.getMessage());
      fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("the committer stopped", e);
      fail(e);
    }
  }

  /** Waits (holding {@code lock}) until the interval since the last start has passed, or a stop. */
  private void awaitInterval() throws InterruptedException {
    long left = intervalNanos - (System.nanoTime() - lastStart);
    while (left > 0 && !crashing && !stopping) {
      TimeUnit.NANOSECONDS.timedWait(lock, left);
      left = intervalNanos - (System.nanoTime() - lastStart);
    }
  }

  private void pause() throws InterruptedException {
    synchronized (lock) {
      if (!crashing) {
        lock.wait(RETRY_PAUSE.toMillis());
      }
    }
  }

  private void fail(RuntimeException why) {
    failure = why;
    stop(why);
  }

  /**
   * Gives up for good without committing what is pending, as when what is pending may no longer be
   * this coordinator's to commit: {@link #failure()} then says {@code why}, and waiters fail with it.
   */
  public void abandon(RuntimeException why) {
    LOG.error("{}", why.getMessage());
    fail(why);
  }

  /** As {@link #abandon}, when another coordinator took this one over (its takeover logged it already). */
  public void takenOver(InstanceTakeover.TakenOver why) {
    if (failure == null) {
      fail(why);
    }
  }

  /** Stops for good: waiters fail; nothing more is committed. */
  public void stop(RuntimeException why) {
    List<Journal.Entry> unwritten = new ArrayList<>();
    synchronized (lock) {
      stopping = true;
      unwritten.addAll(pendingEntries);
      pendingEntries.clear();
      pendingOffsets.clear();
      for (Cut c = cuts.poll(); c != null; c = cuts.poll()) {
        unwritten.addAll(c.entries());
      }
      lock.notifyAll();
    }
    journal.fail(why, unwritten);
  }

  /**
   * Commits what was handed off (for up to {@code timeout}), then stops the committer and closes the
   * transactional producer; what is left fails its waiters with {@code why}.
   */
  public void close(Duration timeout, RuntimeException why) {
    synchronized (lock) {
      stopping = true;
      lock.notifyAll();
    }
    join(timeout);
    if (thread.isAlive()) {
      LOG.warn("the last changes could not be committed within {}", timeout);
      crash();
      return;
    }
    stop(why);
    writer.close();
  }

  /** Aborts an open transaction and drops everything pending, as a killed process would. */
  public void crash() {
    synchronized (lock) {
      crashing = true;
      lock.notifyAll();
    }
    join(Duration.ofSeconds(5));
    writer.abort();
    writer.closeNow();
    stop(new IllegalStateException("the coordinator crashed"));
  }

  private void join(Duration timeout) {
    if (thread.getState() == Thread.State.NEW || Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
