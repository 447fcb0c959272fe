package dev.gowork.worker.runtime;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.ShareGroupSettingRefused;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.broker.topic.Topics;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before the first consumer subscribes: ensures the queue's work topic exists and configures its
 * share group (offset reset {@code earliest}, lock duration, delivery limit, heartbeat, dead letters),
 * since a group that first reads with the broker's default {@code latest} silently skips work.
 * Kafka refusing the worker's principal stops it as a deployment to fix (exit 2), naming the ACL it
 * lacks, since a restart would be refused again.
 */
final class ProvisionQueue {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionQueue.class);

  private ProvisionQueue() {}

  static void run(KafkaClients clients, Topics topics, WorkerSettings s) {
    String queue = s.queue();
    try (Admin admin = clients.admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin);
      provisioner.ensureTopics(List.of(TopicSpec.of(topics.work(queue), s.workPartitions(), s.replicationFactor())));
      provisioner.configureShareGroup(topics.shareGroup(queue), new ShareGroupSettings(s.lockDuration(),
          s.deliveryLimit(), "earliest", s.heartbeatInterval(), s.deadLetterTopic()));
      if (!provisioner.topicsExist(List.of(topics.results()))) {
        LOG.warn("the results topic {} does not exist yet; results wait until the coordinator creates it",
            topics.results());
      }
    } catch (ShareGroupSettingRefused e) {
      // A setting of ours the brokers refuse (out of bounds, a DLQ name without their prefix): trying again
      // would fail again (exit 2, not 1).
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, "could not prepare queue '" + queue + "': "
          + e.getMessage(), e);
    } catch (KafkaException e) {
      if (refusedByAcls(e)) {
        throw new GoWorkException(ErrorCode.FORBIDDEN, "could not prepare queue '" + queue + "': Kafka refused this"
            + " worker's principal: " + e.getMessage() + " (`gowork kafka acls` prints the ACLs a worker needs)", e);
      }
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "could not prepare queue '" + queue + "' on Kafka "
          + clients.bootstrapServers() + ": " + e.getMessage(), e);
    }
  }

  /** Whether Kafka refused the principal ({@link AuthorizationException}: topic, group or cluster), at any depth. */
  private static boolean refusedByAcls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthorizationException) {
        return true;
      }
    }
    return false;
  }
}
