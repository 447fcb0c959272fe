package dev.gowork.cli.soak;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The soak's account of the events topic: which accepted work ids have how many terminal events.
 *
 * <p>Terminal, as the coordinator's lifecycle decides it: {@code work_complete}, {@code work_timeout},
 * {@code work_dead}, and {@code work_failed} only for an item whose {@code maxAttempts} is 1. With
 * more attempts a failure leads either to {@code work_retry} (the item waits for its next attempt)
 * or, on the last attempt, to {@code work_dead} in the same transaction; then {@code work_dead} is
 * the terminal event and the {@code work_failed} before it is not. Events may arrive before the
 * submitter learns that their id was accepted; they are kept and judged when it does.
 *
 * <p>A report names every accepted id without a terminal event (missing), with more than one
 * (doubled), and every id that has lifecycle events but was never accepted (stray). Filled by one
 * thread, read by another: every method is synchronized.
 */
final class Ledger {
  /** One event of a work id, as kept for the report; {@code where} is {@code partition@offset} when known. */
  record Entry(EventType type, String eventId, Integer attempt, String workerId, String where) {
    @Override
    public String toString() {
      return type.id() + (attempt == null ? "" : " attempt " + attempt) + (workerId == null ? "" : " by " + workerId)
          + " (event " + eventId + (where == null ? "" : ", " + where) + ")";
    }
  }

  private static final Set<EventType> CANDIDATES = Set.of(EventType.WORK_COMPLETE, EventType.WORK_TIMEOUT,
      EventType.WORK_DEAD, EventType.WORK_FAILED);

  private final boolean keepHistory;
  private final LongSupplier nanoTime;
  private final Map<String, Integer> maxAttempts = new HashMap<>();
  private final Map<String, List<Entry>> candidates = new HashMap<>();
  private final Map<String, List<Entry>> history = new HashMap<>();
  private final Set<String> accounted = new HashSet<>();
  private final Map<EventType, Integer> eventCounts = new EnumMap<>(EventType.class);
  private final Map<String, Integer> rejections = new java.util.TreeMap<>();
  private int undecodable;
  private long lastAccountedNanos;

  /**
   * @param keepHistory keep every event of every work id, to show the sequence of an offending one
   * @param nanoTime when an id was last accounted for
   */
  Ledger(boolean keepHistory, LongSupplier nanoTime) {
    this.keepHistory = keepHistory;
    this.nanoTime = nanoTime;
  }

  /** True when an event of {@code type} ends a work item that has {@code maxAttempts} attempts. */
  static boolean isTerminal(EventType type, int maxAttempts) {
    return switch (type) {
      case WORK_COMPLETE, WORK_TIMEOUT, WORK_DEAD -> true;
      case WORK_FAILED -> maxAttempts == 1;
      default -> false;
    };
  }

  /** Work ids the coordinator accepted, each with {@code attempts} as its maxAttempts. */
  synchronized void accepted(Collection<String> workIds, int attempts) {
    for (String id : workIds) {
      maxAttempts.put(id, attempts);
      candidates.getOrDefault(id, List.of()).forEach(e -> judge(id, e));
    }
  }

  /** One event read from the topic, at {@code where} ({@code partition@offset}, or null). */
  synchronized void record(Event e, String where) {
    eventCounts.merge(e.type(), 1, Integer::sum);
    if (e.type() == EventType.RESULT_REJECTED) {
      rejections.merge(reason(e.error()), 1, Integer::sum);
    }
    String id = e.workId();
    if (id == null) {
      return;
    }
    Entry entry = new Entry(e.type(), e.id(), e.attempt(), e.workerId(), where);
    if (keepHistory) {
      history.computeIfAbsent(id, k -> new ArrayList<>(3)).add(entry);
    }
    if (CANDIDATES.contains(e.type())) {
      candidates.computeIfAbsent(id, k -> new ArrayList<>(1)).add(entry);
      if (maxAttempts.containsKey(id)) {
        judge(id, entry);
      }
    }
  }

  /**
   * A refusal's reason with its numbers (attempts, times) as {@code N}, so that refusals for one reason
   * count together; cut at 80 characters.
   */
  static String reason(String error) {
    if (error == null || error.isBlank()) {
      return "(no reason given)";
    }
    String r = error.replaceAll("[0-9]+", "N").strip();
    return r.length() > 80 ? r.substring(0, 80) + "…" : r;
  }

  /** A record that is not a valid event. */
  synchronized void undecodable() {
    undecodable++;
  }

  /** Accepted ids with at least one terminal event. */
  synchronized int accounted() {
    return accounted.size();
  }

  synchronized int acceptedCount() {
    return maxAttempts.size();
  }

  /** When the last accepted id got its first terminal event ({@code nanoTime}), 0 before. */
  synchronized long lastAccountedNanos() {
    return lastAccountedNanos;
  }

  /** Every event of {@code workId} seen, in topic order (empty unless the history is kept). */
  synchronized List<Entry> history(String workId) {
    return List.copyOf(history.getOrDefault(workId, List.of()));
  }

  synchronized Report report() {
    Map<EventType, Integer> terminalByType = new EnumMap<>(EventType.class);
    List<String> missing = new ArrayList<>();
    Map<String, List<Entry>> doubled = new LinkedHashMap<>();
    int laterAttempt = 0;
    for (Map.Entry<String, Integer> item : maxAttempts.entrySet()) {
      List<Entry> terminal = terminal(item.getKey(), item.getValue());
      terminal.forEach(t -> terminalByType.merge(t.type(), 1, Integer::sum));
      if (terminal.isEmpty()) {
        missing.add(item.getKey());
      } else if (terminal.size() > 1) {
        doubled.put(item.getKey(), terminal);
      } else if (terminal.get(0).attempt() != null && terminal.get(0).attempt() > 1) {
        laterAttempt++;
      }
    }
    Map<String, List<Entry>> strays = new LinkedHashMap<>();
    candidates.forEach((id, events) -> {
      if (!maxAttempts.containsKey(id)) {
        strays.put(id, List.copyOf(events));
      }
    });
    return new Report(maxAttempts.size(), terminalByType, missing, doubled, strays, laterAttempt,
        new EnumMap<>(eventCounts), new java.util.TreeMap<>(rejections), undecodable);
  }

  private List<Entry> terminal(String id, int attempts) {
    return candidates.getOrDefault(id, List.of()).stream().filter(e -> isTerminal(e.type(), attempts)).toList();
  }

  private void judge(String id, Entry e) {
    if (isTerminal(e.type(), maxAttempts.get(id)) && accounted.add(id)) {
      lastAccountedNanos = nanoTime.getAsLong();
    }
  }

  /**
   * What the ledger found.
   *
   * @param terminalByType terminal events of accepted ids, by type (a doubled id counts each)
   * @param laterAttempt ids whose one terminal event came from an attempt after the first
   * @param eventCounts every event read, by type
   * @param rejections the {@code result_rejected} events, by {@link #reason}
   * @param undecodable records that were not valid events
   */
  record Report(int accepted, Map<EventType, Integer> terminalByType, List<String> missing,
      Map<String, List<Entry>> doubled, Map<String, List<Entry>> strays, int laterAttempt,
      Map<EventType, Integer> eventCounts, Map<String, Integer> rejections, int undecodable) {

    /** Every accepted id has exactly one terminal event, and no other id has one. */
    boolean clean() {
      return missing.isEmpty() && doubled.isEmpty() && strays.isEmpty();
    }

    int terminal(EventType type) {
      return terminalByType.getOrDefault(type, 0);
    }
  }
}
