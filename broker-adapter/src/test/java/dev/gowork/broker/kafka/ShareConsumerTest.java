package dev.gowork.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Share groups through {@link KafkaClients#shareConsumer}, on a real broker. */
@ExtendWith(KafkaExtension.class)
class ShareConsumerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private KafkaClients clients;
    private Admin admin;
    private String topic;
    private String group;

    @BeforeEach
    void provision(TestKafka kafka) {
        clients = kafka.clients();
        admin = clients.admin();
        topic = kafka.topicPrefix() + ".work.default";
        group = kafka.topicPrefix() + ".workers.default";
        TopicProvisioner provisioner = new TopicProvisioner(admin);
        provisioner.ensureTopics(List.of(TopicSpec.of(topic, 1, 1)));
        provisioner.configureShareGroup(group, new ShareGroupSettings(Duration.ofSeconds(30), 5, "earliest",
                Optional.of(Duration.ofMillis(500)), Optional.empty()));
    }

    @AfterEach
    void close() {
        admin.close();
    }

    @Test
    void threeConsumersSplitOnePartitionWithoutDuplicates() throws Exception {
        List<Member> members = List.of(new Member("a"), new Member("b"), new Member("c"));
        List<Thread> threads = members.stream().map(m -> new Thread(m, "share-member-" + m.name)).toList();
        threads.forEach(Thread::start);
        try {
            awaitMembersAssigned(3);
            produce(IntStream.range(0, 300).mapToObj(i -> "job-" + i).toList());

            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (received(members).size() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            members.forEach(Member::stop);
            for (Thread thread : threads) {
                thread.join(DEADLINE.toMillis());
            }
        }

        List<String> all = received(members);
        Set<String> expected = IntStream.range(0, 300).mapToObj(i -> "job-" + i).collect(Collectors.toSet());
        assertEquals(expected, new HashSet<>(all), "every record delivered");
        assertEquals(300, all.size(), "no record delivered twice");
        for (Member member : members) {
            assertTrue(member.keys.size() > 0, () -> "member " + member.name + " got none; split "
                    + members.stream().map(m -> m.keys.size()).toList());
            assertEquals(null, member.failure, "member " + member.name + " failed");
        }
    }

    @Test
    void recordLeftUnacknowledgedAtCloseGoesToAnotherConsumerWithDeliveryCountTwo() {
        produce(List.of("job-1"));

        try (ShareConsumer<String, byte[]> first = clients.shareConsumer(group, Map.of())) {
            first.subscribe(List.of(topic));
            ConsumerRecord<String, byte[]> record = pollOne(first);
            assertEquals("job-1", record.key());
            assertEquals(Optional.of((short) 1), record.deliveryCount());
        }

        try (ShareConsumer<String, byte[]> second = clients.shareConsumer(group, Map.of())) {
            second.subscribe(List.of(topic));
            ConsumerRecord<String, byte[]> again = pollOne(second);
            assertEquals("job-1", again.key());
            assertEquals("payload job-1", new String(again.value(), StandardCharsets.UTF_8));
            assertEquals(Optional.of((short) 2), again.deliveryCount());
            second.acknowledge(again);
            second.commitSync().values().forEach(result -> assertEquals(Optional.empty(), result));
        }
    }

    @Test
    void rejectedRecordLandsInTheDeadLetterTopic(TestKafka kafka) {
        String deadLetters = "dlq." + kafka.topicPrefix();
        new TopicProvisioner(admin).configureShareGroup(group, new ShareGroupSettings(Duration.ofSeconds(30), 5,
                "earliest", Optional.of(Duration.ofMillis(500)), Optional.of(deadLetters)));
        produce(List.of("job-poison"));

        try (ShareConsumer<String, byte[]> worker = clients.shareConsumer(group, Map.of())) {
            worker.subscribe(List.of(topic));
            worker.acknowledge(pollOne(worker), AcknowledgeType.REJECT);
            worker.commitSync().values().forEach(result -> assertEquals(Optional.empty(), result));
        }

        try (Consumer<String, byte[]> reader = clients.consumer(null, Map.of())) {
            reader.assign(List.of(new TopicPartition(deadLetters, 0)));
            reader.seekToBeginning(reader.assignment());
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> dead : reader.poll(Duration.ofMillis(100))) {
                    assertEquals(topic, header(dead, "__dlq.errors.topic"));
                    assertEquals(group, header(dead, "__dlq.errors.group"));
                    return;
                }
            }
            fail("no dead letter within " + DEADLINE);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void produce(List<String> keys) {
        try (Producer<String, byte[]> producer = clients.producer()) {
            for (String key : keys) {
                producer.send(new ProducerRecord<>(topic, key, ("payload " + key).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static ConsumerRecord<String, byte[]> pollOne(ShareConsumer<String, byte[]> consumer) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                return record;
            }
        }
        return fail("no record within " + DEADLINE);
    }

    /** Waits until the group has {@code count} members that each hold the partition. */
    private void awaitMembersAssigned(int count) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (assignedMembers() == count) {
                return;
            }
            Thread.sleep(50);
        }
        fail("the share group did not get " + count + " assigned members within " + DEADLINE);
    }

    private long assignedMembers() throws InterruptedException {
        ShareGroupDescription description;
        try {
            description = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0; // no member has joined yet
            }
            throw new AssertionError("describing share group " + group + " failed", e.getCause());
        }
        return description.members().stream()
                .filter(m -> !m.assignment().topicPartitions().isEmpty())
                .filter(m -> m.memberEpoch() == description.targetAssignmentEpoch())
                .count();
    }

    private static List<String> received(List<Member> members) {
        List<String> all = new ArrayList<>();
        members.forEach(m -> all.addAll(m.keys));
        return all;
    }

    /** A share consumer on its own thread that records and accepts what it gets. */
    private final class Member implements Runnable {
        final String name;
        final List<String> keys = Collections.synchronizedList(new ArrayList<>());
        final ShareConsumer<String, byte[]> consumer = clients.shareConsumer(group, Map.of());
        volatile boolean running = true;
        volatile Exception failure;

        Member(String name) {
            this.name = name;
        }

        @Override
        public void run() {
            try (consumer) {
                consumer.subscribe(List.of(topic));
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        keys.add(record.key());
                        consumer.acknowledge(record);
                    }
                }
                consumer.commitSync();
            } catch (Exception e) {
                failure = e;
            }
        }

        void stop() {
            running = false;
        }
    }
}
