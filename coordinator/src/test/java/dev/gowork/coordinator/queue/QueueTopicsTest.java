package dev.gowork.coordinator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.topic.TopicProvisioner;
import dev.gowork.broker.topic.TopicSpec;
import dev.gowork.coordinator.testing.MutableClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** QueueTopics against a real broker. */
@ExtendWith(KafkaExtension.class)
class QueueTopicsTest {

  /**
   * Queue names past GOWORK_MAX_QUEUES come from input (a producer bug, a user id as the queue): each
   * refusal must leave nothing behind, or the limit that keeps the cluster's topics bounded lets the
   * coordinator's heap grow without end instead.
   */
  @Test
  void refusedQueuesLeaveNothingBehind(TestKafka k) {
    Topics topics = Topics.of(k.newPrefix());
    try (Admin admin = k.clients().admin()) {
      QueueTopics queues = new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 1, Set.of(),
          MutableClock.atNow());
      queues.ensure("default");
      for (int i = 0; i < 20; i++) {
        String queue = "user-" + i;
        GoWorkException e = assertThrows(GoWorkException.class, () -> queues.ensure(queue));
        assertEquals(ErrorCode.CONFLICT, e.code(), e.getMessage());
      }
      assertEquals(0, queues.preparing(), "nothing kept for the refused queues");
      assertEquals(Set.of("default"), queues.queues());
      queues.ensure("default"); // still ready
    }
  }

  /**
   * A client hammering with new queue names past the limit must not cost an admin round trip each:
   * the listing that refused one refuses the others for {@link QueueTopics#LISTING_KEPT}; after it,
   * the cluster is listed again, so a queue another coordinator created meanwhile is judged by it.
   */
  @Test
  void refusalsWithinTheListingsLifeDoNotListTheTopicsAgain(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.newPrefix());
    MutableClock clock = MutableClock.atNow();
    try (CountingAdmin admin = new CountingAdmin(k); Admin other = k.clients().admin()) {
      QueueTopics queues = new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 2, Set.of(), clock);
      queues.ensure("default"); // never refused: not counted, not listed
      queues.ensure("emails");
      assertEquals(1, admin.listings.get());
      for (int i = 0; i < 20; i++) {
        String queue = "user-" + i;
        GoWorkException e = assertThrows(GoWorkException.class, () -> queues.ensure(queue));
        assertEquals(ErrorCode.CONFLICT, e.code(), e.getMessage());
      }
      assertEquals(2, admin.listings.get(), "one listing for the 20 refusals");

      new TopicProvisioner(other).ensureTopics(List.of(TopicSpec.of(topics.work("reports"), 1, 1)));
      clock.advance(QueueTopics.LISTING_KEPT);
      queues.ensure("reports"); // created by another coordinator: listed again, it exists
      assertEquals(3, admin.listings.get());
      assertEquals(Set.of("default", "emails", "reports"), queues.queues());
    }
  }

  /**
   * After the limit is lowered below the queues that exist, the refusal must not claim there are
   * "the most allowed": it names the limit, what it counts and how many there are.
   */
  @Test
  void aRefusalNamesTheLimitAndWhatItCounts(TestKafka k) throws Exception {
    Topics topics = Topics.of(k.newPrefix());
    try (Admin admin = k.clients().admin()) {
      new TopicProvisioner(admin).ensureTopics(List.of(TopicSpec.of(topics.work("a"), 1, 1),
          TopicSpec.of(topics.work("b"), 1, 1), TopicSpec.of(topics.work("c"), 1, 1)));
      QueueTopics queues = new QueueTopics(admin, topics, 1, 1, ShareGroupSettings.defaults(), 2, Set.of(),
          MutableClock.atNow());
      GoWorkException e = assertThrows(GoWorkException.class, () -> queues.ensure("d"));
      assertEquals("queue 'd' would be a new queue past GOWORK_MAX_QUEUES=2 (work topics " + topics.prefix()
          + ".work.* on the cluster: 3): use an existing queue, or raise the limit", e.getMessage());
      queues.ensure("a"); // one that exists still works
    }
  }

  /** A real client that counts its topic listings. */
  private static final class CountingAdmin extends ForwardingAdmin {
    final AtomicInteger listings = new AtomicInteger();

    CountingAdmin(TestKafka k) {
      super(configs(k));
    }

    private static Map<String, Object> configs(TestKafka k) {
      Map<String, Object> configs = new HashMap<>(k.clients().passThrough());
      configs.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
      return configs;
    }

    @Override
    public ListTopicsResult listTopics(ListTopicsOptions options) {
      listings.incrementAndGet();
      return super.listTopics(options);
    }
  }
}
