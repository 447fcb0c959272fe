package dev.gowork.coordinator.queue;

import java.time.Instant;

/**
 * A queue's share group {@code <p>.workers.<queue>} as last counted: its members, and the brokers'
 * {@code group.share.max.size}, past which a share consumer's join is refused.
 *
 * @param group the share group's name
 * @param members members when last counted; null when not counted yet, or the group could not be described
 * @param maxMembers the limit of the broker coordinating the group; null when unknown (the coordinator may not
 *     describe broker configs, or the broker did not answer)
 * @param checkedAt when counted; null when not counted yet
 */
public record GroupSize(String group, Integer members, Integer maxMembers, Instant checkedAt) {
  /** What a full group means for the operator, and what to do about it. */
  public static final String FULL_WARNING = "full: workers that join now get no work; lower GOWORK_CONCURRENCY of"
      + " the replicas or raise group.share.max.size on the brokers";

  /** Not counted yet. */
  public static GroupSize unknown(String group) {
    return new GroupSize(group, null, null, null);
  }

  /** True when both are known and the members reached the limit: a further member is refused. */
  public boolean full() {
    return members != null && maxMembers != null && members >= maxMembers;
  }
}
