package dev.gowork.coordinator.events;

import dev.gowork.broker.wire.Event;
import java.util.Map;

/**
 * Called when an event fires, as the seed's {@code func(e *Event, params map[string]interface{})}.
 * Runs on the server's dispatch thread, never on a Kafka polling thread. A handler that throws is
 * logged and counted; later events are still delivered.
 *
 * <pre>{@code
 * server.newHandler("work_complete", (e, params) -> db.markDone(e.workId()));
 * }</pre>
 */
@FunctionalInterface
public interface EventHandler {
  /**
   * @param event the event
   * @param params the server's parameters (see {@code WorkServer.addParams}); unmodifiable
   */
  void handle(Event event, Map<String, Object> params);
}
