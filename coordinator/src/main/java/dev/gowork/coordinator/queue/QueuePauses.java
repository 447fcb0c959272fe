package dev.gowork.coordinator.queue;

import dev.gowork.broker.wire.ControlNotice;
import dev.gowork.broker.wire.Decoded;
import dev.gowork.broker.wire.QueueNotice;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.state.Journal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Which queues are paused, as read from the compacted {@code <p>.queues} (every coordinator and
 * worker replica reads it whole), and what this coordinator writes there. A pause or resume takes
 * effect here when read back, as on every other reader. Thread-safe.
 */
public final class QueuePauses {
  private final Journal journal;
  private final WireCodec codec;
  /** The paused queues only; a resumed queue is removed. */
  private final Map<String, QueueNotice> paused = new TreeMap<>();
  /** The last notice read per queue (paused or not), for {@link #awaitReadBack}. */
  private final Map<String, QueueNotice> last = new TreeMap<>();
  /** The last notice this coordinator wrote per queue, until it (or a later one) is read back. */
  private final Map<String, QueueNotice> unread = new TreeMap<>();

  public QueuePauses(Journal journal, WireCodec codec) {
    this.journal = journal;
    this.codec = codec;
  }

  /** Writes {@code notice} to the journal; it takes effect once read back ({@link #awaitReadBack}). */
  public void write(QueueNotice notice) {
    synchronized (this) {
      unread.put(notice.queue(), notice);
    }
    journal.put(Journal.Kind.QUEUE, notice.queue(), notice.encode(codec));
  }

  /**
   * Applies a record of {@code <p>.queues}; a tombstone resumes its queue.
   *
   * @throws IllegalArgumentException naming what is wrong with a record that cannot be read
   */
  public void apply(String key, byte[] value) {
    if (key == null) {
      throw new IllegalArgumentException("a record without a key");
    }
    QueueNotice n = null;
    if (value != null) {
      Decoded<ControlNotice> d = ControlNotice.decode(codec, value);
      if (!d.isOk() || !(d.value() instanceof QueueNotice q) || !q.queue().equals(key)) {
        throw new IllegalArgumentException(d.isOk() ? "not a queue notice for queue '" + key + "'"
            : d.error().message());
      }
      n = q;
    }
    synchronized (this) {
      if (n != null && n.paused()) {
        paused.put(key, n);
      } else {
        paused.remove(key);
      }
      if (n == null) {
        last.remove(key);
      } else {
        last.put(key, n);
        if (unread.containsKey(key) && covers(n, unread.get(key))) {
          unread.remove(key);
        }
      }
      notifyAll();
    }
  }

  public synchronized boolean isPaused(String queue) {
    return paused.containsKey(queue);
  }

  /**
   * True while a notice this coordinator wrote for {@code queue} was not read back: its commit may have
   * returned before the broker let readers see it, so what was read here may still change. A notice
   * whose commit failed stays unread until a later one for the queue is read.
   */
  public synchronized boolean awaitsReadBack(String queue) {
    return unread.containsKey(queue);
  }

  /** The paused queues, by name, with their notices. */
  public synchronized Map<String, QueueNotice> paused() {
    return Map.copyOf(paused);
  }

  /**
   * Waits until {@code notice} (written by this coordinator) was read back, or a later one, at most
   * {@code timeout}: a commit returns before the broker moves the topic's end past it.
   *
   * @return false when that did not happen in time
   */
  public synchronized boolean awaitReadBack(QueueNotice notice, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      QueueNotice seen = last.get(notice.queue());
      if (seen != null && covers(seen, notice)) {
        return true;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** True when {@code seen}, read back, is {@code written} or a later notice. */
  private static boolean covers(QueueNotice seen, QueueNotice written) {
    return seen.equals(written) || seen.changedAt().isAfter(written.changedAt());
  }

  /** A notice for {@code queue} at {@code now}. */
  public static QueueNotice notice(String queue, boolean paused, Instant now, String reason) {
    return new QueueNotice(queue, paused, now, reason);
  }
}
