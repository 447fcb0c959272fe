package dev.gowork.coordinator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TakeNextWork's hand-out consumer and a full share group, on a broker of its own allowing 2 members. The
 * back-off clock is the test's; joins and refusals are the broker's.
 */
@Timeout(300)
class TakeNextWorkFullGroupTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String QUEUE = "q";

  /**
   * A refusal was over only once a poll returned work: when the group had room again but the queue had no
   * work, the coordinator never said its consumer got in, and a later refusal (after the idle consumer left)
   * was not warned of, its retry put off as the old episode's doubled interval. Now a consumer that polls
   * unrefused for FULL_GROUP_CONFIRM counts as in, and a later refusal is a new episode.
   */
  @Test
  void aConsumerInAgainWithoutWorkEndsTheRefusalAndALaterOneIsWarnedAgain() throws Exception {
    try (TestKafka.Own own = TestKafka.ownBroker(Map.of("group.share.max.size", "2"))) {
      TestKafka k = own.newTest();
      Topics topics = Topics.of(k.topicPrefix());
      AtomicLong nanos = new AtomicLong();
      TakeNextWork taker = new TakeNextWork(k.clients()::shareConsumer, topics, WireCodec.defaults(),
          Duration.ofMillis(200), nanos::get);
      Member a = new Member(k, topics);
      Member b = new Member(k, topics);
      Member c = null;
      try (Admin admin = k.clients().admin();
          CapturedWarnings log = CapturedWarnings.from(Level.INFO, TakeNextWork.class.getName())) {
        awaitMembers(admin, topics, 2);
        refused(taker);
        assertEquals(1, count(log, "its share group is full"), log.lines().toString());

        b.close();
        awaitMembers(admin, topics, 1);
        nanos.addAndGet(TakeNextWork.FULL_GROUP_FIRST_RETRY.toNanos());
        Poll.until(() -> taker.take(QUEUE).isEmpty() && members(admin, topics) == 2, WAIT,
            "the hand-out consumer in the group beside one member");
        nanos.addAndGet(TakeNextWork.FULL_GROUP_RETRY.toNanos()); // past FULL_GROUP_CONFIRM (10 s) without a refusal
        assertEquals(Optional.empty(), taker.take(QUEUE), "no work in the queue");
        assertEquals(1, count(log, "joined the share group"), "in again, with no work: " + log.lines());

        taker.closeIdle(Duration.ZERO);
        c = new Member(k, topics);
        awaitMembers(admin, topics, 2);
        refused(taker);
        assertEquals(2, count(log, "its share group is full"), "a new refusal is warned of: " + log.lines());
      } finally {
        taker.close();
        a.close();
        b.close();
        if (c != null) {
          c.close();
        }
      }
    }
  }

  /** Takes until the group refuses the hand-out consumer (its first poll may end before the broker answers). */
  private static void refused(TakeNextWork taker) {
    Poll.until(() -> {
      try {
        taker.take(QUEUE);
        return null;
      } catch (FullShareGroupException e) {
        return e;
      }
    }, WAIT, "the full group to refuse the hand-out consumer");
  }

  private static long count(CapturedWarnings log, String text) {
    return log.lines().stream().filter(l -> l.contains(text)).count();
  }

  private static void awaitMembers(Admin admin, Topics topics, int n) {
    Poll.until(() -> members(admin, topics) == n, WAIT, n + " members in the group");
  }

  private static int members(Admin admin, Topics topics) {
    String group = topics.shareGroup(QUEUE);
    try {
      return admin.describeShareGroups(List.of(group)).describedGroups().get(group).get().members().size();
    } catch (ExecutionException e) {
      return -1; // not created yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A member of the queue's share group that takes nothing, polling on a thread of its own until closed. */
  private static final class Member implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Thread thread;

    Member(TestKafka k, Topics topics) {
      thread = new Thread(() -> {
        try (ShareConsumer<String, byte[]> c = k.clients().shareConsumer(topics.shareGroup(QUEUE), Map.of())) {
          c.subscribe(List.of(topics.work(QUEUE)));
          while (open.get()) {
            c.poll(Duration.ofMillis(50)).forEach(r -> c.acknowledge(r, AcknowledgeType.RELEASE));
          }
        }
      }, "test-share-member");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      open.set(false);
      thread.join();
    }
  }
}
