package dev.gowork.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicProvisionerTest {

    private Admin admin;
    private TopicProvisioner provisioner;
    private String prefix;

    @BeforeEach
    void connect(TestKafka kafka) {
        admin = kafka.clients().admin();
        provisioner = new TopicProvisioner(admin);
        prefix = kafka.topicPrefix();
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    @Test
    void provisioningTwiceIsHarmless() throws Exception {
        List<TopicSpec> specs = List.of(
                TopicSpec.of(prefix + ".work.default", 3, 1),
                TopicSpec.compacted(prefix + ".state", 1, 1));
        String group = prefix + ".workers.default";
        ShareGroupSettings settings = new ShareGroupSettings(Duration.ofSeconds(2), 3, "earliest",
                Optional.of(Duration.ofMillis(500)), Optional.of("dlq." + prefix));

        for (int i = 0; i < 2; i++) {
            provisioner.ensureTopics(specs);
            provisioner.configureShareGroup(group, settings);
        }

        assertTrue(provisioner.topicsExist(List.of(prefix + ".work.default", prefix + ".state", "dlq." + prefix)));
        assertFalse(provisioner.topicsExist(List.of(prefix + ".work.default", prefix + ".missing")));
        assertEquals(3, admin.describeTopics(List.of(prefix + ".work.default")).allTopicNames().get()
                .get(prefix + ".work.default").partitions().size());
        assertEquals("compact", config(ConfigResource.Type.TOPIC, prefix + ".state").get("cleanup.policy").value());
        assertEquals("true", config(ConfigResource.Type.TOPIC, "dlq." + prefix)
                .get("errors.deadletterqueue.group.enable").value());
        Config groupConfig = config(ConfigResource.Type.GROUP, group);
        assertEquals("2000", groupConfig.get("share.record.lock.duration.ms").value());
        assertEquals("3", groupConfig.get("share.delivery.count.limit").value());
        assertEquals("earliest", groupConfig.get("share.auto.offset.reset").value());
        assertEquals("500", groupConfig.get("share.heartbeat.interval.ms").value());
        assertEquals("dlq." + prefix, groupConfig.get("errors.deadletterqueue.topic.name").value());
    }

    @Test
    void unsetOptionalSettingsKeepWhatTheGroupHas() throws Exception {
        String group = prefix + ".workers";
        provisioner.configureShareGroup(group, new ShareGroupSettings(Duration.ofSeconds(20), 4, "latest",
                Optional.of(Duration.ofMillis(700)), Optional.of("dlq." + prefix)));

        provisioner.configureShareGroup(group, ShareGroupSettings.defaults());

        // A group config read right after a change may still show the one before it (seen once in a full run).
        Config groupConfig = config(ConfigResource.Type.GROUP, group);
        for (long end = System.nanoTime() + 10_000_000_000L;
                !"30000".equals(value(groupConfig.get("share.record.lock.duration.ms"))) && System.nanoTime() < end; ) {
            Thread.sleep(50);
            groupConfig = config(ConfigResource.Type.GROUP, group);
        }
        assertEquals("30000", groupConfig.get("share.record.lock.duration.ms").value());
        assertEquals("5", groupConfig.get("share.delivery.count.limit").value());
        assertEquals("earliest", groupConfig.get("share.auto.offset.reset").value());
        // e.g. a coordinator that knows no dead-letter topic must not wipe the one its workers set
        assertEquals("700", value(groupConfig.get("share.heartbeat.interval.ms")));
        assertEquals("dlq." + prefix, value(groupConfig.get("errors.deadletterqueue.topic.name")));
    }

    @Test
    void concurrentCallersAllSucceed() throws Exception {
        List<TopicSpec> specs = List.of(TopicSpec.of(prefix + ".a", 2, 1), TopicSpec.of(prefix + ".b", 1, 1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> provisioner.ensureTopics(specs)));
            }
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(provisioner.topicsExist(List.of(prefix + ".a", prefix + ".b")));
    }

    @Test
    void deadLetterTopicWithoutTheBrokerPrefixIsRefused() {
        String group = prefix + ".workers";
        ShareGroupSettings settings = new ShareGroupSettings(Duration.ofSeconds(30), 5, "earliest",
                Optional.empty(), Optional.of(prefix + ".dead"));

        // A setting to change (exit 2 for a worker), not a Kafka outage.
        ShareGroupSettingRefused error = assertThrows(ShareGroupSettingRefused.class,
                () -> provisioner.configureShareGroup(group, settings));

        assertTrue(error.getMessage().contains(group) && error.getMessage().contains(prefix + ".dead"), error.getMessage());
        assertTrue(error.getMessage().contains("set GOWORK_DEAD_LETTER_TOPIC"), error.getMessage());
    }

    @Test
    void settingOutsideTheBrokerBoundsNamesTheGroup() {
        String group = prefix + ".workers";
        ShareGroupSettings settings = new ShareGroupSettings(Duration.ofMinutes(10), 5, "earliest",
                Optional.empty(), Optional.empty());

        // Refused as a setting to change, not as a Kafka outage: trying again would fail again.
        ShareGroupSettingRefused error = assertThrows(ShareGroupSettingRefused.class,
                () -> provisioner.configureShareGroup(group, settings));

        assertTrue(error.getMessage().contains(group), error.getMessage());
        assertTrue(error.getMessage().contains("share.record.lock.duration.ms")
                && error.getMessage().contains("GOWORK_SHARE_LOCK_SECONDS"), error.getMessage());
    }

    @Test
    void aRefusalNamesTheGoWorkSettingOfTheGroupSettingTheBrokersNamed() {
        assertTrue(ShareGroupSettingRefused.describe("g", "share.heartbeat.interval.ms must be in the range 5000 to 15000")
                .contains("set GOWORK_SHARE_HEARTBEAT_MS"));
        assertTrue(ShareGroupSettingRefused.describe("g", "share.delivery.count.limit must be ...")
                .contains("set GOWORK_SHARE_DELIVERY_LIMIT"));
        assertEquals("the brokers refused a setting of share group 'g': something else",
                ShareGroupSettingRefused.describe("g", "something else"));
    }

    private Config config(ConfigResource.Type type, String name) throws Exception {
        ConfigResource resource = new ConfigResource(type, name);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static String value(ConfigEntry entry) {
        return entry == null ? null : entry.value();
    }
}
