package dev.gowork.coordinator.events;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.util.Locale;

/**
 * When in-process listeners and handlers see an event of this coordinator's own making. Either way
 * they see each event at least once, also across a crash, and events read back from the events
 * topic (another coordinator's, or a crashed predecessor's) wait for their commit.
 */
public enum HandlerTiming {
  /**
   * Once the transaction that carries the event committed: a handler never sees a change that a
   * crash takes back. Costs the transaction's time (a few ms idle, tens of ms under load).
   */
  COMMIT,
  /**
   * As soon as the coordinator applies the change, while its transaction is on the way. When the
   * coordinator crashes before the commit, its successor derives the change again (from the result,
   * which it reads again) and the handler runs again; in a race with a deadline the successor may
   * record another outcome (e.g. a timeout instead of the completion the handler saw), and an add
   * whose commit failed may have fired {@code add_work}.
   */
  APPLY;

  /**
   * Reads {@code commit} or {@code apply}, in any case.
   *
   * @throws GoWorkException INVALID_ARGUMENT for anything else
   */
  public static HandlerTiming parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "the handler timing must be commit or apply; was '"
          + text + "'");
    }
  }
}
