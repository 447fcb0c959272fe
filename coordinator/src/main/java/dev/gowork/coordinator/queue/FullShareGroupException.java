package dev.gowork.coordinator.queue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;

/**
 * A hand-out refused because the queue's share group refuses the coordinator's consumer: it is full (the
 * brokers' {@code group.share.max.size}). UNAVAILABLE, over HTTP a 503 with {@code Retry-After}.
 * {@link TakeNextWork} logs the refusal once, so the answers that follow are not logged each.
 */
public final class FullShareGroupException extends GoWorkException {
  private static final long serialVersionUID = 1L;

  FullShareGroupException(String queue, String why) {
    super(ErrorCode.UNAVAILABLE, "could not take work from queue '" + queue + "': its share group is full (" + why
        + "; the brokers' group.share.max.size); try again later");
  }
}
