package dev.gowork.cli.acls;

import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import dev.gowork.broker.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.resource.Resource;

/**
 * The least-privilege Kafka ACLs of one GoWork deployment (one topic prefix), read from what each
 * role's clients do (docs/deploy.md, "Kafka ACLs"). Names that grow with queues or coordinator
 * instances are prefixed patterns ({@code <p>.work.}, {@code <p>.workers.}, {@code <p>.coordinator-});
 * the rest are literal, so a second prefix such as {@code <p>.eu} gets nothing from these. Workers limited
 * to some queues get literal grants on those queues' work topics and share groups instead of the prefixed ones.
 *
 * <p>Left out on purpose: {@code Read} on {@code __consumer_offsets} and {@code Alter} or
 * {@code ClusterAction} on the cluster, which the coordinator's search for hanging transactions would
 * use (it looks on its own topics only, and says once that it cannot abort); and {@code Create} for
 * workers, whose queue topics the coordinator creates.
 */
final class DeploymentAcls {
  private static final String TAKES_WORK = "takes work through the queue's share group";
  private static final String JOINS_GROUP = "joins the queue's share group and applies its lock duration and delivery "
      + "limit";

  private DeploymentAcls() {}

  /**
   * @param coordinator the coordinators' principal, e.g. {@code User:coord}
   * @param worker the Kafka workers' principal
   * @param workerQueues the queues whose work the workers may take (valid names); empty for every queue
   * @param analytics a principal that only reads {@code <p>.events}, if any
   */
  static List<Grant> of(Topics t, String coordinator, String worker, List<String> workerQueues,
      Optional<String> analytics) {
    List<Grant> g = new ArrayList<>();
    for (String topic : List.of(t.results(), t.events(), t.control(), t.state(), t.sessions(), t.scheduled(),
        t.schedules(), t.queues())) {
      g.add(Grant.literal(coordinator, TOPIC, topic, "creates, writes and reads its shared and internal topics",
          CREATE, WRITE, READ));
    }
    g.add(Grant.literal(coordinator, TOPIC, t.results(), "sets message.timestamp.type=LogAppendTime on results",
        ALTER_CONFIGS));
    g.add(Grant.prefixed(coordinator, TOPIC, t.prefix() + ".work.",
        "creates each queue's topic, publishes work, reads it back for retries and HTTP workers", CREATE, WRITE, READ));
    g.add(Grant.literal(coordinator, GROUP, t.coordinatorGroup(), "consumes results as a group", READ, DESCRIBE));
    g.add(Grant.literal(coordinator, GROUP, t.handlerGroup(), "feeds in-process handlers from events", READ,
        DESCRIBE));
    g.add(Grant.prefixed(coordinator, GROUP, t.prefix() + ".workers.",
        "configures each queue's share group, hands out work over HTTP, counts members", READ, DESCRIBE,
        ALTER_CONFIGS));
    g.add(Grant.prefixed(coordinator, TRANSACTIONAL_ID, t.prefix() + ".coordinator-",
        "writes state in transactions, fences an abandoned instance's transactions", WRITE, DESCRIBE));
    g.add(Grant.literal(coordinator, CLUSTER, Resource.CLUSTER_NAME,
        "reads group.share.max.size and the dead-letter topic prefix of the brokers",
        DESCRIBE_CONFIGS));

    if (workerQueues.isEmpty()) {
      g.add(Grant.prefixed(worker, TOPIC, t.prefix() + ".work.", TAKES_WORK, READ));
      g.add(Grant.prefixed(worker, GROUP, t.prefix() + ".workers.", JOINS_GROUP, READ, ALTER_CONFIGS));
    }
    for (String queue : workerQueues) {
      g.add(Grant.literal(worker, TOPIC, t.work(queue), TAKES_WORK, READ));
    }
    for (String queue : workerQueues) {
      g.add(Grant.literal(worker, GROUP, t.shareGroup(queue), JOINS_GROUP, READ, ALTER_CONFIGS));
    }
    g.add(Grant.literal(worker, TOPIC, t.results(), "sends signed results", WRITE));
    g.add(Grant.literal(worker, TOPIC, t.control(), "follows cancellations and revoked sessions", READ));
    g.add(Grant.literal(worker, TOPIC, t.queues(), "follows paused queues", READ));

    analytics.ifPresent(a -> g.add(Grant.literal(a, TOPIC, t.events(), "reads events", READ)));
    return List.copyOf(g);
  }
}
