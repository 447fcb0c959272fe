package dev.gowork.coordinator.queue;

import dev.gowork.broker.topic.Topics;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeShareGroupsOptions;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background task: when a count is due ({@link ShareGroupSizes}), counts the members of each queue's share
 * group (one {@code describeShareGroups}) and reads the brokers' {@code group.share.max.size} (one
 * {@code describeCluster}, one {@code describeConfigs}), and hands both to {@link ShareGroupSizes}. A group
 * that does not exist yet has 0 members; a group's limit is that of the broker coordinating it. What Kafka
 * refuses, or does not answer within {@link #ANSWER_MS} of the run's start (for all groups together), is left
 * uncounted, so a run never throws and ends within about that time.
 */
public final class CountShareGroups implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CountShareGroups.class);
  static final String MAX_SIZE = "group.share.max.size";
  private static final int ANSWER_MS = 10_000;

  private final Admin admin;
  private final Topics topics;
  private final Supplier<Set<String>> queues;
  private final ShareGroupSizes sizes;
  /** Whether the last read of the limits failed (logged once until it succeeds again); one thread runs this. */
  private boolean limitsFailed;
  /** Whether a group of the last count could not be described (logged once until all are again). */
  private boolean describeFailed;

  /** A group's members, and the broker coordinating it (null when the group does not exist). */
  private record Described(int members, Node coordinator) {}

  /** @param queues the queues whose groups are counted, read at each count */
  public CountShareGroups(Admin admin, Topics topics, Supplier<Set<String>> queues, ShareGroupSizes sizes) {
    this.admin = admin;
    this.topics = topics;
    this.queues = queues;
    this.sizes = sizes;
  }

  @Override
  public void run() {
    if (!sizes.due()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MS);
    Map<String, String> groups = new TreeMap<>();
    queues.get().forEach(q -> groups.put(q, topics.shareGroup(q)));
    Map<String, Described> described = describe(groups.values(), deadline);
    Map<Integer, Integer> limits = groups.isEmpty() ? Map.of() : limits(deadline);
    Map<String, ShareGroupSizes.Count> counts = new TreeMap<>();
    groups.forEach((queue, group) -> {
      Described d = described.get(group);
      counts.put(queue, new ShareGroupSizes.Count(group, d == null ? null : d.members(),
          limitOf(d == null ? null : d.coordinator(), limits)));
    });
    sizes.update(counts);
  }

  /** The groups that were described, by name; a group that does not exist has no members. */
  private Map<String, Described> describe(Collection<String> groups, long deadline) {
    Map<String, Described> out = new HashMap<>();
    if (groups.isEmpty()) {
      return out;
    }
    Map<String, KafkaFuture<ShareGroupDescription>> futures;
    try {
      futures = admin.describeShareGroups(groups, new DescribeShareGroupsOptions().timeoutMs(ANSWER_MS))
          .describedGroups();
    } catch (KafkaException e) {
      describeFailed(groups.iterator().next(), e);
      return out;
    }
    Map<String, Throwable> failed = new TreeMap<>();
    futures.forEach((group, f) -> {
      try {
        ShareGroupDescription d = f.get(left(deadline), TimeUnit.NANOSECONDS);
        out.put(group, new Described(d.members().size(), d.coordinator()));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          out.put(group, new Described(0, null));
        } else {
          failed.put(group, e.getCause());
        }
      } catch (TimeoutException e) {
        LOG.debug("share group {} was not described within {} ms", group, ANSWER_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    if (failed.isEmpty()) {
      describeFailed = false;
    } else {
      failed.forEach((group, e) -> LOG.debug("could not describe share group {}", group, e));
      Map.Entry<String, Throwable> first = failed.entrySet().iterator().next();
      describeFailed(first.getKey(), first.getValue());
    }
    return out;
  }

  /**
   * Says once, until every group is described again, that members go uncounted and why; with the ACL a
   * coordinator needs when Kafka refused it as not authorized (else the listing showed "not counted" with
   * no hint, and the reason was at DEBUG on every count).
   */
  private void describeFailed(String group, Throwable e) {
    if (!describeFailed) {
      LOG.info("could not describe share group {} ({}); the queue listing shows its members as not counted until it "
          + "can{}", group, e, e instanceof AuthorizationException
              ? " (the coordinator needs Describe on the groups " + topics.prefix() + ".workers.*)" : "");
    }
    describeFailed = true;
  }

  /** {@code group.share.max.size} by broker id, of the brokers that answered. */
  private Map<Integer, Integer> limits(long deadline) {
    Map<Integer, Integer> out = new HashMap<>();
    String failure = null;
    try {
      Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ANSWER_MS)).nodes()
          .get(left(deadline), TimeUnit.NANOSECONDS);
      Map<ConfigResource, KafkaFuture<Config>> configs = admin.describeConfigs(nodes.stream()
          .map(n -> new ConfigResource(ConfigResource.Type.BROKER, n.idString())).toList(),
          new DescribeConfigsOptions().timeoutMs(ANSWER_MS)).values();
      for (var e : configs.entrySet()) {
        try {
          ConfigEntry entry = e.getValue().get(left(deadline), TimeUnit.NANOSECONDS).get(MAX_SIZE);
          if (entry != null && entry.value() != null) {
            out.put(Integer.valueOf(e.getKey().name()), Integer.valueOf(entry.value()));
          }
        } catch (ExecutionException | TimeoutException | NumberFormatException x) {
          failure = String.valueOf(x instanceof ExecutionException ? x.getCause() : x);
        }
      }
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      failure = String.valueOf(e instanceof ExecutionException ? e.getCause() : e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (out.isEmpty() && failure != null && !limitsFailed) {
      // The ACL hint only when the brokers said so: with Kafka merely away it would send an operator to the ACLs.
      LOG.info("could not read {} of the brokers ({}); the queue listing shows the share groups' limit as unknown "
          + "until it can{}", MAX_SIZE, failure, failure.contains("Authorization")
              ? " (the coordinator needs DescribeConfigs on the cluster)" : "");
    }
    limitsFailed = out.isEmpty() && failure != null;
    return out;
  }

  private static long left(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /** The limit of the group's coordinator, else the lowest of the brokers that answered; null when none did. */
  private static Integer limitOf(Node coordinator, Map<Integer, Integer> limits) {
    if (coordinator != null && limits.containsKey(coordinator.id())) {
      return limits.get(coordinator.id());
    }
    return limits.values().stream().min(Integer::compare).orElse(null);
  }
}
