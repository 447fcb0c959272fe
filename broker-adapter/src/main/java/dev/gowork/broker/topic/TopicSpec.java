package dev.gowork.broker.topic;

import java.util.Map;
import java.util.Objects;

/**
 * A topic as GoWork wants it: name, partition count, replication factor and topic configs.
 *
 * @param name the topic name
 * @param partitions at least 1
 * @param replicationFactor at least 1
 * @param configs topic configs such as {@code retention.ms}; copied, unmodifiable
 */
public record TopicSpec(String name, int partitions, int replicationFactor, Map<String, String> configs) {

    /**
     * @throws IllegalArgumentException if the name is blank or a count is below 1 or the factor above 32767
     */
    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic '" + name + "' must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replicationFactor of topic '" + name
                    + "' must be in 1.." + Short.MAX_VALUE + ", was " + replicationFactor);
        }
        configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
    }

    /** A topic with the broker's default configs. */
    public static TopicSpec of(String name, int partitions, int replicationFactor) {
        return new TopicSpec(name, partitions, replicationFactor, Map.of());
    }

    /** A compacted topic ({@code cleanup.policy=compact}), for state kept by key. */
    public static TopicSpec compacted(String name, int partitions, int replicationFactor) {
        return new TopicSpec(name, partitions, replicationFactor, Map.of("cleanup.policy", "compact"));
    }
}
