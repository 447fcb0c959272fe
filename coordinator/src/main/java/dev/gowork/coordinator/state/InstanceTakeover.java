package dev.gowork.coordinator.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether another coordinator started with this one's instance id took over its transactional id or
 * its static membership of a coordinators' group (Kafka fenced this one). The first duty to notice
 * (the committer, the results loop, the handler feed) records it here; it is logged once, and every
 * duty then stops contending for good: a consumer that rejoined would fence the newer coordinator's
 * membership in turn, and the two would take it from each other every few seconds. Thread-safe.
 */
public final class InstanceTakeover {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceTakeover.class);
  private static final String ID_MARK = ".coordinator-";

  private final String instanceId;
  // Guarded by this.
  private final List<Runnable> actions = new ArrayList<>();
  private volatile TakenOver taken;

  /** Why this coordinator stopped: another one with its instance id took it over. */
  public static final class TakenOver extends IllegalStateException {
    TakenOver(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** @param transactionalId this coordinator's {@code <p>.coordinator-<instance id>} */
  public InstanceTakeover(String transactionalId) {
    int at = transactionalId.lastIndexOf(ID_MARK);
    this.instanceId = at < 0 ? transactionalId : transactionalId.substring(at + ID_MARK.length());
  }

  /**
   * Records that Kafka fenced this coordinator's {@code what} (its transactional id, or its membership of
   * a group); the first call logs it as an error and runs the {@link #onTakeover} actions, later ones do
   * nothing.
   */
  public void noticed(String what, Throwable cause) {
    TakenOver t = new TakenOver("fenced: another coordinator with instance id " + instanceId + " took over this "
        + "one's " + what + " (Kafka: " + cause.getClass().getSimpleName() + "), so this one stops for good. If "
        + "that was not its replacement, two live coordinators share an id: give each its own GOWORK_INSTANCE_ID "
        + "(--instance-id)", cause);
    List<Runnable> toRun;
    synchronized (this) {
      if (taken != null) {
        return;
      }
      taken = t;
      toRun = List.copyOf(actions);
      actions.clear();
    }
    LOG.error("{}", t.getMessage());
    toRun.forEach(InstanceTakeover::runSafely);
  }

  /** True once another coordinator took this one over. */
  public boolean happened() {
    return taken != null;
  }

  /** Why this coordinator stopped, once it was taken over. */
  public Optional<TakenOver> why() {
    return Optional.ofNullable(taken);
  }

  /**
   * Runs {@code action} once this coordinator is taken over (at once if it was), on the thread that
   * noticed it: it must not block on the coordinator's own threads.
   */
  public void onTakeover(Runnable action) {
    synchronized (this) {
      if (taken == null) {
        actions.add(action);
        return;
      }
    }
    runSafely(action);
  }

  private static void runSafely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("an action on takeover failed: {}", e.toString());
    }
  }
}
