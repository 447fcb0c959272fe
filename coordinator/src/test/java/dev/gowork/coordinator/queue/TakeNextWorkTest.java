package dev.gowork.coordinator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.testing.Poll;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TakeNextWork's share consumers against a real broker. */
@ExtendWith(KafkaExtension.class)
class TakeNextWorkTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Far longer than the test waits for a call that stopTaking should end. */
  private static final Duration LONG_POLL = Duration.ofMinutes(10);
  /** A bound on "at once" only a stalled machine would miss, and a take still waiting for its lock would not meet. */
  private static final Duration ENDS_WITHIN = Duration.ofMinutes(2);
  private static final String WAITING_THREAD = "test-waiting-take";

  /**
   * A take waiting for its queue's lock (held by another call, here one still creating the queue's
   * consumer) was not woken by stopTaking: it waited up to the poll timeout for the lock, so at close
   * hand-outs on a busy queue answered only after a long poll's time. Now it answers empty at once.
   */
  @Test
  void aTakeWaitingForItsQueuesLockEndsWhenTakesStop(TestKafka k) throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    TakeNextWork taker = new TakeNextWork((group, overrides) -> {
      holding.countDown();
      await(resume);
      return k.clients().shareConsumer(group, overrides);
    }, Topics.of(k.newPrefix()), WireCodec.defaults(), LONG_POLL);
    try {
      CompletableFuture<Optional<TakeNextWork.Taken>> holder = CompletableFuture.supplyAsync(() -> taker.take("q"));
      assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first take holds the queue's lock");
      CompletableFuture<Optional<TakeNextWork.Taken>> waiting = CompletableFuture.supplyAsync(() -> taker.take("q"),
          r -> new Thread(r, WAITING_THREAD).start());
      Poll.until(TakeNextWorkTest::aTakeWaits, WAIT, "the second take waiting for the queue's lock");

      taker.stopTaking();

      assertEquals(Optional.empty(), waiting.get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS),
          "the waiting take ended, with nothing taken, well before its " + LONG_POLL + " wait");
      resume.countDown();
      assertEquals(Optional.empty(), holder.get(WAIT.toSeconds(), TimeUnit.SECONDS), "nor did the first take anything");
    } finally {
      resume.countDown();
      taker.close();
    }
  }

  /** True when the second take's thread waits (with a timeout) inside {@link TakeNextWork#take}. */
  private static boolean aTakeWaits() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().equals(WAITING_THREAD))
        .anyMatch(e -> e.getKey().getState() == Thread.State.TIMED_WAITING && Arrays.stream(e.getValue())
            .anyMatch(f -> f.getClassName().equals(TakeNextWork.class.getName()) && f.getMethodName().equals("take")));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds() * 4, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
