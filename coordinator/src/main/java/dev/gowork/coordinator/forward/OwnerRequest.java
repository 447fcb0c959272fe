package dev.gowork.coordinator.forward;

import java.util.Locale;
import java.util.Objects;

/**
 * What one coordinator asks the coordinator that owns {@code id} (a work id, or a worker id for
 * {@link Action#REVOKE}) to do, as the owner would have done it for its own HTTP caller; or, for
 * {@link Action#REVOKED}, what it tells the owner of every results partition: the worker's revocation is
 * committed, so no result after this one in the partition is to be judged before the revocation is
 * mirrored.
 *
 * @param reason a cancellation's reason, or null
 * @param attempt for {@link Action#REQUEUE} and {@link Action#DELETE_DEAD}, the dead attempt the caller
 *     saw (so a copy replayed after the item was requeued and died again does nothing); 0 otherwise
 */
public record OwnerRequest(Action action, String id, String reason, int attempt) {
  /** The forwardable operations. */
  public enum Action {
    CANCEL, REQUEUE, DELETE_DEAD, REVOKE, REVOKED;

    String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Action fromWire(String s) {
      for (Action a : values()) {
        if (a.wireName().equals(s)) {
          return a;
        }
      }
      throw new IllegalArgumentException("unknown request '" + s + "'");
    }
  }

  public OwnerRequest {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(id, "id");
  }

  public static OwnerRequest cancel(String workId, String reason) {
    return new OwnerRequest(Action.CANCEL, workId, reason, 0);
  }

  public static OwnerRequest requeue(String workId, int deadAttempt) {
    return new OwnerRequest(Action.REQUEUE, workId, null, deadAttempt);
  }

  public static OwnerRequest deleteDead(String workId, int deadAttempt) {
    return new OwnerRequest(Action.DELETE_DEAD, workId, null, deadAttempt);
  }

  public static OwnerRequest revoke(String workerId) {
    return new OwnerRequest(Action.REVOKE, workerId, null, 0);
  }

  /** The notice, sent to every results partition once it is committed, that {@code workerId} was revoked. */
  public static OwnerRequest revoked(String workerId) {
    return new OwnerRequest(Action.REVOKED, workerId, null, 0);
  }
}
