package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.worker.session.Handshake;
import dev.gowork.worker.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A renewal whose handshake throws something other than a {@code GoWorkException} (a custom
 * in-process {@link Handshake}, as docs/worker.md shows, or an {@code Error}) must be retried like
 * any failed renewal. Before the fix the exception escaped {@link RenewSession#run} into the
 * scheduler, which swallowed it: no renewal was ever scheduled again, nothing was logged, and the
 * replica took no more work once its session expired.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class RenewSessionFailureTest {

  @Test
  void aRenewalThatThrowsAnUnexpectedExceptionIsRetried(TestKafka kafka) throws Exception {
    try (RuntimeFixture f = new RuntimeFixture(kafka)) {
      AtomicInteger calls = new AtomicInteger();
      String key = Base64.getEncoder().encodeToString(new byte[32]);
      Handshake flaky = () -> {
        int n = calls.incrementAndGet();
        Instant now = Instant.now();
        if (n == 2) {
          throw new IllegalArgumentException("the in-process coordinator answered something odd");
        }
        // The first session lives 3 s (renewed at 80 %); a later one an hour.
        Duration life = n == 1 ? Duration.ofSeconds(3) : Duration.ofHours(1);
        return new Session("w-" + n, key, now, now.plus(life), f.kafka.bootstrapServers(), f.kafka.topicPrefix());
      };
      WorkerRuntime runtime = WorkerRuntime.builder(f.settings(1).build()).handler((data, ctx) -> data)
          .handshake(flaky).start();
      try {
        RuntimeFixture.awaitTrue("the renewal that fails", () -> calls.get() >= 2, Duration.ofSeconds(30));
        // A failed renewal is retried after RenewSession.RETRY (5 s): allow several times that.
        RuntimeFixture.awaitTrue("a renewal after the failed one", () -> calls.get() >= 3, Duration.ofSeconds(40));
        RuntimeFixture.awaitTrue("the replica ready again", () -> runtime.health().ready(), Duration.ofSeconds(10));
        assertTrue(runtime.workerId().startsWith("w-"), runtime.workerId());
      } finally {
        runtime.crash();
      }
    }
  }
}
