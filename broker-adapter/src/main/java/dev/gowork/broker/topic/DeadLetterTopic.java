package dev.gowork.broker.topic;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a share group's dead-letter topic usable. The broker accepts a bad DLQ setup silently
 * and then archives dead letters with only a broker-side error, so this checks what it can up
 * front: the name carries the broker's DLQ prefix, the topic exists, and it is DLQ-enabled. A principal
 * that may not create topics may use one an administrator created (with Describe on it); without
 * AlterConfigs on it, it warns instead of enabling dead letters there. Without DescribeConfigs on the cluster
 * (a least-privilege worker) it cannot read the prefix, and says so at INFO: nothing is wrong.
 */
final class DeadLetterTopic {

    static final String GROUP_ENABLE = "errors.deadletterqueue.group.enable";
    static final String BROKER_PREFIX = "errors.deadletterqueue.topic.name.prefix";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopic.class);

    private DeadLetterTopic() {
    }

    static void ensure(Admin admin, String groupId, String topic) {
        brokerPrefix(admin, topic).ifPresent(prefix -> {
            if (!topic.startsWith(prefix)) {
                throw new ShareGroupSettingRefused(groupId, "Dead-letter topic '" + topic + "' of share group '"
                        + groupId + "' does not start with the broker's " + BROKER_PREFIX + " '" + prefix
                        + "'; the broker would drop its dead letters");
            }
        });
        NewTopic newTopic = new NewTopic(topic, Optional.empty(), Optional.empty()).configs(Map.of(GROUP_ENABLE, "true"));
        try {
            AdminCalls.await(admin.createTopics(List.of(newTopic)).all(), "Creating dead-letter topic '" + topic + "'");
        } catch (KafkaException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                // A topic an administrator created for a principal that may not create topics.
                List<KafkaException> unusable = RefusedTopics.unusable(admin, Map.of(topic, e));
                if (!unusable.isEmpty()) {
                    throw unusable.get(0);
                }
                enableIfAllowed(admin, topic);
                return;
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            enable(admin, topic);
        }
    }

    private static void enable(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp enable = new AlterConfigOp(new ConfigEntry(GROUP_ENABLE, "true"), AlterConfigOp.OpType.SET);
        AdminCalls.await(admin.incrementalAlterConfigs(Map.of(resource, List.of(enable))).all(),
                "Enabling dead letters on topic '" + topic + "'");
    }

    /** Enables dead letters on a topic this principal did not create; says so when it may not. */
    private static void enableIfAllowed(Admin admin, String topic) {
        try {
            enable(admin, topic);
        } catch (KafkaException e) {
            if (!(e.getCause() instanceof AuthorizationException)) {
                throw e;
            }
            LOG.warn("may not enable dead letters on topic '{}' (Kafka ACL AlterConfigs on it): unless {}=true is set"
                    + " on it, the brokers archive dead letters instead of writing them there", topic, GROUP_ENABLE);
        }
    }

    private static Optional<String> brokerPrefix(Admin admin, String topic) {
        try {
            Collection<Node> nodes = AdminCalls.await(admin.describeCluster().nodes(), "Listing brokers");
            if (nodes.isEmpty()) {
                return Optional.empty();
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(nodes.iterator().next().id()));
            Config config = AdminCalls.await(admin.describeConfigs(List.of(broker)).all(),
                    "Reading broker config " + BROKER_PREFIX).get(broker);
            ConfigEntry entry = config == null ? null : config.get(BROKER_PREFIX);
            return entry == null || entry.value() == null ? Optional.empty() : Optional.of(entry.value());
        } catch (KafkaException e) {
            if (e.getCause() instanceof AuthorizationException) {
                // Expected of a least-privilege worker: a WARN at every start would teach operators to ignore them.
                LOG.info("not checking that dead-letter topic '{}' starts with the brokers' {}: this principal may not"
                        + " read the brokers' configs (Kafka ACL DescribeConfigs on the cluster, which workers are not"
                        + " granted); a name without that prefix has its dead letters archived instead", topic,
                        BROKER_PREFIX);
            } else {
                LOG.warn("Cannot check the dead-letter topic prefix: {}", e.getMessage());
            }
            return Optional.empty();
        }
    }
}
