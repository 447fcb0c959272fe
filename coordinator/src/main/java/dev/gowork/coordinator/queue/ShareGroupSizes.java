package dev.gowork.coordinator.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each queue's share group as last counted by {@link CountShareGroups}, so that the queue listing and the
 * metrics read it without an Admin call. A count is due once per interval on the clock. A queue's group that
 * becomes full is logged once as a warning, and once at info when it has room again, not at every count.
 * Thread-safe: one task counts; readers get the last whole snapshot.
 */
public final class ShareGroupSizes {
  private static final Logger LOG = LoggerFactory.getLogger(ShareGroupSizes.class);
  /** How often the groups are counted by default. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  private final Clock clock;
  private final Duration interval;
  private final Set<String> full = new HashSet<>();
  private volatile Map<String, GroupSize> last = Map.of();
  private Instant countedAt;

  /** One group as just counted; a null field was not answered. */
  record Count(String group, Integer members, Integer maxMembers) {}

  public ShareGroupSizes(Clock clock, Duration interval) {
    this.clock = clock;
    this.interval = interval;
  }

  /** True when nothing was counted for an interval (or the clock went back past the last count). */
  synchronized boolean due() {
    Instant now = clock.instant();
    return countedAt == null || !now.isBefore(countedAt.plus(interval)) || now.isBefore(countedAt);
  }

  /**
   * Keeps {@code counts} (by queue), stamped now, as the last count; a queue whose members were not answered
   * keeps its previous count, and a limit not answered keeps the last one known. Queues left out are forgotten.
   *
   * @return the queues whose group became full (true) or has room again (false) since the previous count
   */
  synchronized Map<String, Boolean> update(Map<String, Count> counts) {
    Instant now = clock.instant();
    countedAt = now;
    Map<String, GroupSize> previous = last;
    Map<String, GroupSize> next = new TreeMap<>();
    counts.forEach((queue, c) -> {
      GroupSize before = previous.get(queue);
      Integer max = c.maxMembers() != null || before == null ? c.maxMembers() : before.maxMembers();
      next.put(queue, c.members() != null ? new GroupSize(c.group(), c.members(), max, now)
          : before != null ? before : new GroupSize(c.group(), null, max, null));
    });
    last = Map.copyOf(next);
    full.retainAll(next.keySet());
    Map<String, Boolean> changes = new TreeMap<>();
    next.forEach((queue, size) -> {
      if (size.full() && full.add(queue)) {
        changes.put(queue, true);
        LOG.warn("queue '{}': share group {} has {} of {} members (group.share.max.size): {}", queue, size.group(),
            size.members(), size.maxMembers(), GroupSize.FULL_WARNING);
      } else if (!size.full() && size.members() != null && size.maxMembers() != null && full.remove(queue)) {
        changes.put(queue, false);
        LOG.info("queue '{}': share group {} has room again ({} of {} members)", queue, size.group(), size.members(),
            size.maxMembers());
      }
    });
    return changes;
  }

  /** The last count by queue (empty before the first); never calls Kafka. */
  public Map<String, GroupSize> current() {
    return last;
  }
}
