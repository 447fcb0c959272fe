package dev.gowork.coordinator.results;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Which results partitions wait, and until when, because their next result is for work this
 * coordinator does not know yet. With several coordinators the adder sends the work before its
 * state record commits, so a fast worker's result can reach the owner first: the owner holds the
 * partition (paused, its offset not consumed) and asks again every {@link #RETRY} while the result is
 * fresh. A result that was already {@link #FRESH} old when first seen, or that stays unknown that
 * long, is for work never added or long forgotten, and is let go. Used by the results thread only.
 * Ages of records are judged on the coordinator's clock against the broker's append time, as the
 * result window is; waiting is measured on a monotonic ticker (nanoseconds), since it paces a loop.
 */
final class UnknownWorkHold {
  /** How long an unknown result may wait for its work's state: a slow or retried commit of the adder. */
  static final Duration FRESH = Duration.ofSeconds(30);
  /** How often a held partition asks again. */
  static final Duration RETRY = Duration.ofMillis(50);

  private record Held(long offset, long firstSeenMillis, long firstSeenNanos, long resumeAtNanos) {}

  private final Map<TopicPartition, Held> held = new HashMap<>();

  /**
   * True when the result at {@code offset} of {@code tp}, appended at {@code appendedMillis} (epoch
   * ms, or negative if unknown), should wait (the caller then seeks back to it and pauses the
   * partition); false when it is let go.
   */
  boolean waitFor(TopicPartition tp, long offset, long appendedMillis, long nowMillis, long nowNanos) {
    Held h = held.get(tp);
    boolean again = h != null && h.offset() == offset;
    long seenMillis = again ? h.firstSeenMillis() : nowMillis;
    long seenNanos = again ? h.firstSeenNanos() : nowNanos;
    boolean freshWhenSeen = appendedMillis < 0 || seenMillis - appendedMillis < FRESH.toMillis();
    if (!freshWhenSeen || nowNanos - seenNanos >= FRESH.toNanos()) {
      held.remove(tp);
      return false;
    }
    held.put(tp, new Held(offset, seenMillis, seenNanos, nowNanos + RETRY.toNanos()));
    return true;
  }

  /** The held partitions whose time to ask again has come (to resume; they stay held until decided). */
  List<TopicPartition> due(long nowNanos) {
    List<TopicPartition> due = new ArrayList<>();
    held.forEach((tp, h) -> {
      if (h.resumeAtNanos() - nowNanos <= 0) {
        due.add(tp);
      }
    });
    return due;
  }

  /** The result at {@code offset} of {@code tp} was decided (applied, refused or let go). */
  void decided(TopicPartition tp, long offset) {
    Held h = held.get(tp);
    if (h != null && h.offset() == offset) {
      held.remove(tp);
    }
  }

  /** Forgets partitions this coordinator no longer reads. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(held::remove);
  }
}
