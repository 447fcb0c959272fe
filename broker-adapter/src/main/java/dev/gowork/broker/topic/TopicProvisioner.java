package dev.gowork.broker.topic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics and configures share groups, idempotently: running it again, or from several
 * processes at once, changes nothing that is already right.
 *
 * <pre>{@code
 * TopicProvisioner provisioner = new TopicProvisioner(admin);
 * provisioner.ensureTopics(List.of(TopicSpec.of("gowork.work.default", 6, 3)));
 * provisioner.configureShareGroup("gowork.workers.default", ShareGroupSettings.defaults());
 * }</pre>
 *
 * The caller owns the {@link Admin} and closes it. Failures are {@link KafkaException}s whose
 * message names the topic or group.
 */
public final class TopicProvisioner {

    private final Admin admin;

    /** @param admin the admin client to use; not closed by this class */
    public TopicProvisioner(Admin admin) {
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    /**
     * Creates the topics that do not exist yet. Existing topics are left as they are, even if
     * their partitions or configs differ from the spec, also where the principal may not create them.
     *
     * @throws IllegalArgumentException if two specs share a name but differ
     * @throws KafkaException if a topic cannot be created; the message names it
     */
    public void ensureTopics(Collection<TopicSpec> specs) {
        Map<String, NewTopic> wanted = new LinkedHashMap<>();
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            TopicSpec previous = byName.putIfAbsent(spec.name(), spec);
            if (previous != null && !previous.equals(spec)) {
                throw new IllegalArgumentException("Conflicting specs for topic '" + spec.name() + "': "
                        + previous + " and " + spec);
            }
            wanted.put(spec.name(), new NewTopic(spec.name(), spec.partitions(), (short) spec.replicationFactor())
                    .configs(spec.configs()));
        }
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(wanted.values()).values();
        List<KafkaException> failures = new ArrayList<>();
        List<String> created = new ArrayList<>();
        Map<String, KafkaException> refused = new LinkedHashMap<>();
        results.forEach((name, result) -> {
            try {
                AdminCalls.await(result, "Creating topic '" + name + "'");
                created.add(name);
            } catch (KafkaException e) {
                if (e.getCause() instanceof TopicAuthorizationException) {
                    refused.put(name, e);
                } else if (!(e.getCause() instanceof TopicExistsException)) {
                    failures.add(e);
                }
            }
        });
        failures.addAll(RefusedTopics.unusable(admin, refused));
        if (!failures.isEmpty()) {
            KafkaException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
        awaitLeaders(created);
    }

    /**
     * Waits (up to 10 s) until the leader of every partition of {@code names} answers (a ListOffsets
     * request, served by the partition's leader). A topic is created once the controller committed
     * it; its leader may start serving a moment later, and a first produce in between fails with
     * NOT_LEADER_OR_FOLLOWER, which an idempotent producer with several batches in flight can turn
     * into an OUT_OF_ORDER_SEQUENCE_NUMBER retry loop that never ends (seen on Kafka 4.4 under load).
     */
    private void awaitLeaders(List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - end < 0) {
            try {
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all =
                        new java.util.HashMap<>();
                AdminCalls.await(admin.describeTopics(names).allTopicNames(), "Describing new topics")
                        .forEach((name, d) -> d.partitions().forEach(p -> all.put(
                                new org.apache.kafka.common.TopicPartition(name, p.partition()),
                                org.apache.kafka.clients.admin.OffsetSpec.latest())));
                AdminCalls.await(admin.listOffsets(all).all(), "Reading the end of new topics");
                return;
            } catch (KafkaException e) {
                // not served yet (unknown partition, no leader yet): look again
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * @return true if every named topic exists
     * @throws KafkaException if the topics cannot be listed
     */
    public boolean topicsExist(Collection<String> names) {
        if (names.isEmpty()) {
            return true;
        }
        Set<String> existing = AdminCalls.await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(),
                "Listing topics");
        return existing.containsAll(names);
    }

    /**
     * Applies the settings to a share group, which need not exist yet; do it before the first
     * member joins, since the start offset is fixed when the group first reads a partition. With
     * a dead-letter topic, also creates that topic (or enables dead letters on it) first.
     *
     * @throws ShareGroupSettingRefused if the brokers refuse a setting, outside the bounds they allow, or the
     *     dead-letter topic lacks their prefix; the message
     *     names the group and the GoWork setting to change
     * @throws KafkaException if Kafka fails otherwise; naming the ACL when the principal may not configure the group
     */
    public void configureShareGroup(String groupId, ShareGroupSettings settings) {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("groupId must not be blank");
        }
        Objects.requireNonNull(settings, "settings");
        settings.deadLetterTopic().ifPresent(topic -> DeadLetterTopic.ensure(admin, groupId, topic));
        List<AlterConfigOp> ops = new ArrayList<>();
        ops.add(set("share.record.lock.duration.ms", Long.toString(settings.lockDuration().toMillis())));
        ops.add(set("share.delivery.count.limit", Integer.toString(settings.deliveryCountLimit())));
        ops.add(set("share.auto.offset.reset", settings.autoOffsetReset()));
        // Optional settings left unset keep what the group has: the coordinator and the workers of a
        // queue both configure its group, and one that does not know a setting must not wipe it.
        settings.heartbeatInterval().ifPresent(d -> ops.add(set("share.heartbeat.interval.ms",
                Long.toString(d.toMillis()))));
        settings.deadLetterTopic().ifPresent(topic -> ops.add(set("errors.deadletterqueue.topic.name", topic)));
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        try {
            AdminCalls.await(admin.incrementalAlterConfigs(Map.of(group, ops)).all(),
                    "Configuring share group '" + groupId + "' with " + settings);
        } catch (KafkaException e) {
            // Before the settings check: Kafka's AuthorizationException is an InvalidConfigurationException.
            if (e.getCause() instanceof AuthorizationException) {
                throw new KafkaException(e.getMessage() + ": this principal may not configure the group (Kafka ACL"
                        + " AlterConfigs on group '" + groupId + "')", e.getCause());
            }
            if (e.getCause() instanceof InvalidConfigurationException || e.getCause() instanceof InvalidRequestException) {
                throw new ShareGroupSettingRefused(groupId, e.getCause());
            }
            throw e;
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

}
