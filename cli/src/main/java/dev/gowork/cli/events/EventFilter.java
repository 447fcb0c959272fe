package dev.gowork.cli.events;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.cli.settings.CliException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which events to show: by type and by queue. An empty set lets everything through.
 *
 * @param types the event types to show; empty means all
 * @param queues the queues to show; empty means all (events without a queue are then hidden)
 */
public record EventFilter(Set<EventType> types, Set<String> queues) {
  public static final EventFilter ALL = new EventFilter(Set.of(), Set.of());

  public EventFilter {
    types = types.isEmpty() ? Set.of() : EnumSet.copyOf(types);
    queues = Set.copyOf(queues);
  }

  /**
   * Builds a filter from {@code --type} and {@code --queue} values; each value may list several, comma separated.
   *
   * @throws CliException usage naming the flag and the unknown type
   */
  public static EventFilter parse(List<String> typeFlags, List<String> queueFlags) {
    Set<EventType> types = EnumSet.noneOf(EventType.class);
    for (String id : split(typeFlags)) {
      EventType t = EventType.fromId(id);
      if (t == null) {
        throw CliException.usage("--type: unknown event type " + ErrorLines.quoted("--type", id) + "; known: "
            + Arrays.stream(EventType.values()).map(EventType::id).collect(Collectors.joining(", ")));
      }
      types.add(t);
    }
    return new EventFilter(types, split(queueFlags));
  }

  public boolean test(Event e) {
    return (types.isEmpty() || types.contains(e.type())) && (queues.isEmpty() || (e.queue() != null && queues.contains(e.queue())));
  }

  private static Set<String> split(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    if (values != null) {
      for (String v : values) {
        for (String part : v.split(",")) {
          if (!part.isBlank()) {
            out.add(part.trim());
          }
        }
      }
    }
    return out;
  }
}
