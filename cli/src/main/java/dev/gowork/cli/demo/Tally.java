package dev.gowork.cli.demo;

import dev.gowork.broker.wire.DecodeError;
import dev.gowork.broker.wire.Event;
import dev.gowork.cli.events.FollowEvents;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Counts the demo's outcomes from the events topic, one per work id: {@code work_complete} completes,
 * {@code work_timeout} times out, {@code work_failed} or {@code work_dead} fails ({@code work_retry}
 * takes a failure back). Latency from add to {@code work_complete} is the event's {@code durationMs},
 * else its time minus the {@code add_work} event's time (or the submit time).
 *
 * <p>Written by the following thread, read by the demo's thread: every method is synchronized.
 */
final class Tally implements FollowEvents.Sink {
  enum Outcome { COMPLETED, FAILED, TIMED_OUT }

  /** What the tally holds at one moment. */
  record Snapshot(int completed, int failed, int timedOut, int rejectedRecords, long lastOutcomeNanos) {
    int finished() {
      return completed + failed + timedOut;
    }
  }

  private final LongSupplier nanoTime;
  private final Map<String, Long> addedAtMillis = new HashMap<>();
  private final Map<String, Outcome> outcomes = new HashMap<>();
  private final Set<String> submitted = new HashSet<>();
  private final Histogram latencyMillis = new Histogram(3);
  private final int[] counts = new int[Outcome.values().length];
  private int rejectedRecords;
  private int unknownLatency;
  private long lastOutcomeNanos;

  Tally(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Work ids the coordinator accepted at {@code epochMillis}; their add time unless add_work says otherwise. */
  synchronized void submitted(Collection<String> workIds, long epochMillis) {
    for (String id : workIds) {
      submitted.add(id);
      addedAtMillis.putIfAbsent(id, epochMillis);
    }
  }

  @Override
  public synchronized boolean accept(Event e, byte[] raw) {
    String id = e.workId();
    if (id == null) {
      return true;
    }
    switch (e.type()) {
      case ADD_WORK -> addedAtMillis.put(id, e.time().toEpochMilli());
      case WORK_COMPLETE -> {
        if (set(id, Outcome.COMPLETED)) {
          recordLatency(id, e);
        }
      }
      case WORK_TIMEOUT -> set(id, Outcome.TIMED_OUT);
      case WORK_FAILED, WORK_DEAD -> set(id, Outcome.FAILED);
      case WORK_RETRY -> {
        Outcome was = outcomes.remove(id);
        if (was != null) {
          counts[was.ordinal()]--;
        }
      }
      default -> { }
    }
    return true;
  }

  @Override
  public synchronized void rejected(String where, DecodeError error) {
    rejectedRecords++;
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(counts[0], counts[1], counts[2], rejectedRecords, lastOutcomeNanos);
  }

  /** True when every one of {@code items} submitted work ids has an outcome. */
  synchronized boolean allFinished(int items) {
    if (submitted.size() < items || counts[0] + counts[1] + counts[2] < items) {
      return false;
    }
    return submitted.stream().allMatch(outcomes::containsKey);
  }

  /** A copy of the latency histogram, in milliseconds. */
  synchronized Histogram latency() {
    return latencyMillis.copy();
  }

  /** Completions whose latency could not be measured (no durationMs and no known add time). */
  synchronized int unknownLatency() {
    return unknownLatency;
  }

  private boolean set(String id, Outcome o) {
    Outcome was = outcomes.get(id);
    if (was == Outcome.COMPLETED || was == o) {
      return false;
    }
    if (was != null) {
      counts[was.ordinal()]--;
    }
    outcomes.put(id, o);
    counts[o.ordinal()]++;
    lastOutcomeNanos = nanoTime.getAsLong();
    return true;
  }

  private void recordLatency(String id, Event e) {
    Long added = addedAtMillis.get(id);
    long ms = e.durationMs() != null ? e.durationMs() : added == null ? -1 : e.time().toEpochMilli() - added;
    if (ms < 0) {
      unknownLatency++;
    } else {
      latencyMillis.recordValue(ms);
    }
  }
}
