package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.CancelNotice;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.worker.testing.SkippingClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica forgets a cancelled id once its deadline has passed, in a purge every 30 s. That cadence
 * is a duration, timed on the monotonic source: it was on the wall clock, so a step back (NTP, a
 * resumed VM) put the purge off by the size of the step (the ids piled up), and a step forward brought
 * it forward. Deadlines stay on the wall clock. Here the monotonic source moves only when the test
 * says (real broker, real consumer).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class PurgeOfCancelledIdsOutlastsAWallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration PURGE_EVERY = Duration.ofSeconds(30);

  private final SkippingClock wall = new SkippingClock();
  private final AtomicLong monotonic = new AtomicLong();
  private final Cancellations cancellations = new Cancellations();

  @Test
  void aStepBackDoesNotStopThePurge(TestKafka kafka) throws Exception {
    try (Following f = follow(kafka)) {
      wall.skip(Duration.ofMinutes(-10));
      f.cancel("soon", Duration.ofSeconds(60));
      f.cancel("later", Duration.ofHours(1));
      wall.skip(Duration.ofSeconds(61));
      monotonic.addAndGet(PURGE_EVERY.toNanos());
      // Before the fix the next purge waited for the wall clock to reach its first purge plus 30 s again.
      RuntimeFixture.awaitTrue("the expired id purged", () -> !cancellations.contains("soon"), WAIT);
      assertTrue(cancellations.contains("later"), "an id whose deadline has not passed is kept");
    }
  }

  @Test
  void aStepForwardDoesNotBringThePurgeForward(TestKafka kafka) throws Exception {
    try (Following f = follow(kafka)) {
      f.cancel("soon", Duration.ofMinutes(2));
      wall.skip(Duration.ofMinutes(10));
      // Two notices read one after the other: the round that read the first has purged (or not) by then.
      f.cancel("marker-1", Duration.ofHours(1));
      f.cancel("marker-2", Duration.ofHours(1));
      assertTrue(cancellations.contains("soon"), "no purge before 30 s have passed on the monotonic source");

      monotonic.addAndGet(PURGE_EVERY.toNanos());
      RuntimeFixture.awaitTrue("the id purged once 30 s have passed", () -> !cancellations.contains("soon"), WAIT);
      assertTrue(cancellations.contains("marker-1") && cancellations.contains("marker-2"));
    }
  }

  /**
   * Starts following fresh control topics, and returns once the first purge is done: two notices read
   * one after the other, with a round (and its purge) between them.
   */
  private Following follow(TestKafka kafka) throws Exception {
    String control = kafka.topicPrefix() + ".control";
    String queues = kafka.topicPrefix() + ".queues";
    try (Admin admin = kafka.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(control, 1, (short) 1), new NewTopic(queues, 1, (short) 1))).all().get();
    }
    FollowControl follower = new FollowControl(() -> kafka.clients().consumer(null, FollowControl.CONSUMER_SETTINGS),
        control, queues, cancellations, new PausedQueues(), id -> { }, wall, monotonic::get);
    Thread t = new Thread(follower, "follow-control-test");
    t.start();
    Following f = new Following(follower, t, kafka.clients().producer(), control);
    follower.caughtUp.get(30, TimeUnit.SECONDS);
    f.cancel("start-1", Duration.ofHours(2));
    f.cancel("start-2", Duration.ofHours(2));
    return f;
  }

  private final class Following implements AutoCloseable {
    private final FollowControl follower;
    private final Thread thread;
    private final Producer<String, byte[]> producer;
    private final String control;

    Following(FollowControl follower, Thread thread, Producer<String, byte[]> producer, String control) {
      this.follower = follower;
      this.thread = thread;
      this.producer = producer;
      this.control = control;
    }

    /** Writes a cancel notice for {@code id}, due {@code in} from now on the wall clock, and waits until it is read. */
    void cancel(String id, Duration in) throws Exception {
      byte[] value = new CancelNotice(id, "default", 1, wall.instant().plus(in), wall.instant(), "test")
          .encode(WireCodec.defaults());
      producer.send(new ProducerRecord<>(control, id, value)).get();
      RuntimeFixture.awaitTrue(id + " read", () -> cancellations.contains(id), WAIT);
    }

    @Override
    public void close() throws InterruptedException {
      follower.close();
      thread.join(10_000);
      producer.close();
    }
  }
}
