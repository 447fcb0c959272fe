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

  public QueuePauses(Journal journal, WireCodec codec) {
    this.journal = journal;
    this.codec = codec;
  }

  /** Writes {@code notice} to the journal; it takes effect once read back ({@link #awaitReadBack}). */
  public void write(QueueNotice notice) {
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
      }
      notifyAll();
    }
  }

  public synchronized boolean isPaused(String queue) {
    return paused.containsKey(queue);
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
      if (seen != null && (seen.equals(notice) || seen.changedAt().isAfter(notice.changedAt()))) {
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

  /** A notice for {@code queue} at {@code now}. */
  public static QueueNotice notice(String queue, boolean paused, Instant now, String reason) {
    return new QueueNotice(queue, paused, now, reason);
  }
}
