package dev.gowork.broker.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topics whose creation Kafka refused as not authorized, looked up one by one. Kafka refuses to create a
 * topic the principal may not create even when it exists (a least-privilege worker may read its queue's
 * topic, which the coordinator created, but not create it), so a refused topic that exists is as good as
 * created. A lookup tells three other cases apart, each with the ACL it lacks: the topic does not exist;
 * the principal may not see it either (Kafka answers the same whether it exists or not); the lookup failed.
 */
final class RefusedTopics {

    private RefusedTopics() {
    }

    /** The refusals, made to name what is missing, of the topics that cannot be used as they are. */
    static List<KafkaException> unusable(Admin admin, Map<String, KafkaException> refused) {
        if (refused.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<TopicDescription>> found = admin.describeTopics(refused.keySet()).topicNameValues();
        List<KafkaException> out = new ArrayList<>();
        refused.forEach((name, refusal) -> {
            try {
                AdminCalls.await(found.get(name), "Looking up topic '" + name + "'");
            } catch (KafkaException e) {
                out.add(new KafkaException(refusal.getMessage() + ": " + why(name, e), refusal.getCause()));
            }
        });
        return out;
    }

    private static String why(String name, KafkaException lookup) {
        String create = "Kafka ACL Create on topic '" + name + "'";
        if (lookup.getCause() instanceof UnknownTopicOrPartitionException) {
            return "the topic does not exist and this principal may not create it (" + create + ")";
        }
        if (lookup.getCause() instanceof TopicAuthorizationException) {
            return "this principal may neither create the topic nor see whether it exists (" + create
                    + "; or, if it exists, Describe on it, which Read and Write include)";
        }
        return "this principal may not create the topic (" + create + "), and whether it exists is unknown: "
                + lookup.getMessage();
    }
}
