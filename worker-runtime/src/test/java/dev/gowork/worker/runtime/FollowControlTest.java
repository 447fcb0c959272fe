package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Following the control topics when there is nothing to read yet (real broker). */
@ExtendWith(KafkaExtension.class)
class FollowControlTest {

  @Test
  @SuppressWarnings("unchecked")
  void emptyTopicsCountAsReadBeforeAnyPollSoAReplicaStartsWithoutWaitingForOne(TestKafka kafka) throws Exception {
    String control = kafka.topicPrefix() + ".control";
    String queues = kafka.topicPrefix() + ".queues";
    try (Admin admin = kafka.clients().admin()) {
      admin.createTopics(List.of(new NewTopic(control, 2, (short) 1), new NewTopic(queues, 1, (short) 1))).all().get();
    }
    AtomicInteger polls = new AtomicInteger();
    // The real consumer, counting its polls (a poll waits up to 1 s when there is nothing to read).
    FollowControl follower = new FollowControl(() -> {
      Consumer<String, byte[]> real = kafka.clients().consumer(null, FollowControl.CONSUMER_SETTINGS);
      return (Consumer<String, byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
          new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
            if (method.getName().equals("poll")) {
              polls.incrementAndGet();
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }, control, queues, new Cancellations(), new PausedQueues(), id -> { }, Clock.systemUTC(),
        System::nanoTime);
    CompletableFuture<Integer> pollsWhenCaughtUp = follower.caughtUp.thenApply(done -> polls.get());
    Thread t = new Thread(follower, "follow-control-test");
    t.start();
    try {
      assertEquals(0, pollsWhenCaughtUp.get(30, TimeUnit.SECONDS), "caught up before the first poll");
    } finally {
      follower.close();
      t.join(10_000);
    }
  }
}
