package dev.gowork.coordinator.testing;

import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Collects events (as a listener or sink) and waits, with a deadline, for the ones a test expects. */
public final class EventLog implements Consumer<Event> {
  private final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void accept(Event e) {
    events.add(e);
  }

  public List<Event> all() {
    return List.copyOf(events);
  }

  public List<Event> of(EventType type) {
    return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
  }

  public List<Event> of(EventType type, String workId) {
    return events.stream().filter(e -> e.type() == type && workId.equals(e.workId())).collect(Collectors.toList());
  }

  /** Waits up to {@code timeout} for an event matching {@code p}; fails the test otherwise. */
  public Event await(Predicate<Event> p, Duration timeout, String what) {
    return Poll.until(() -> events.stream().filter(p).findFirst().orElse(null), timeout, what);
  }

  /** Like {@link #await(Predicate, Duration, String)}, running {@code action} before each check. */
  public Event await(Predicate<Event> p, Duration timeout, String what, Runnable action) {
    return Poll.until(() -> {
      action.run();
      return events.stream().filter(p).findFirst().orElse(null);
    }, timeout, what);
  }

  public Event await(EventType type, String workId) {
    return await(e -> e.type() == type && (workId == null || workId.equals(e.workId())), Duration.ofSeconds(20),
        type.id() + " for " + workId);
  }
}
