package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica's close closes its lanes (one share consumer per slot). They were closed one after
 * another on the poll thread, each with up to 5 s to commit and 5 s to close: 4 slots that could not
 * reach the broker took 40 s, past the pod's termination grace, and the poll thread outlived
 * {@link WorkerRuntime#close()}. The real consumers here are wrapped to hold each one's close.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ShutdownLanesTest {

  @Test
  void lanesCloseAtTheSameTimeNotOneAfterAnother(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      CountDownLatch bothInClose = new CountDownLatch(2);
      List<Boolean> sawTheOther = new CopyOnWriteArrayList<>();
      WorkerRuntime runtime = start(f, f.settings(2), onClose(() -> {
        bothInClose.countDown();
        sawTheOther.add(bothInClose.await(10, TimeUnit.SECONDS));
      }));
      runtime.close();
      assertEquals(List.of(true, true), sawTheOther, "each lane's close saw the other's in progress");
      assertFalse(runtime.pollThread().isAlive(), "the poll thread ended");
    }
  }

  @Test
  void closeReturnsWithThePollThreadEndedWhileALaneCloseIsStuck(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      CountDownLatch unstick = new CountDownLatch(1);
      CountDownLatch inClose = new CountDownLatch(1);
      WorkerRuntime runtime = start(f, f.settings(1).shutdownGrace(Duration.ZERO), onClose(() -> {
        inClose.countDown();
        unstick.await(60, TimeUnit.SECONDS);
      }));
      try {
        runtime.close();
        assertTrue(inClose.await(0, TimeUnit.SECONDS), "the lane's close began");
        assertFalse(runtime.pollThread().isAlive(), "the poll thread ended although a consumer's close is stuck");
      } finally {
        unstick.countDown(); // the consumer's real close, before the fixture checks that no thread is left
      }
    }
  }

  private interface Hook {
    void run() throws InterruptedException;
  }

  private static WorkerRuntime start(RuntimeFixture f, WorkerSettingsBuilder settings,
      UnaryOperator<ShareConsumer<String, byte[]>> wrap) {
    WorkerRuntime r = WorkerRuntime.builder(settings.build()).handler((data, ctx) -> data).wrapConsumers(wrap).start();
    f.adopt(r);
    return r;
  }

  /** Real consumers whose {@code close} runs {@code hook} first. */
  @SuppressWarnings("unchecked")
  private static UnaryOperator<ShareConsumer<String, byte[]>> onClose(Hook hook) {
    return real -> (ShareConsumer<String, byte[]>) Proxy.newProxyInstance(ShareConsumer.class.getClassLoader(),
        new Class<?>[] {ShareConsumer.class}, (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            hook.run();
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
