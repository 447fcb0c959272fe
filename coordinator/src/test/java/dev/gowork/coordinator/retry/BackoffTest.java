package dev.gowork.coordinator.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = Backoff.defaults();

  @Test
  void nominalWaitDoublesFromOneSecondUpToTheCap() {
    assertEquals(1000, backoff.delayMillis(1, 1.0));
    assertEquals(2000, backoff.delayMillis(2, 1.0));
    assertEquals(4000, backoff.delayMillis(3, 1.0));
    assertEquals(32_000, backoff.delayMillis(6, 1.0));
    assertEquals(60_000, backoff.delayMillis(7, 1.0));
    assertEquals(60_000, backoff.delayMillis(1000, 1.0));
    assertEquals(60_000, backoff.delayMillis(Integer.MAX_VALUE, 1.0));
  }

  @Test
  void jitterKeepsEveryWaitBetweenHalfAndAllOfTheNominal() {
    Random r = new Random(42);
    for (int attempt = 1; attempt < 12; attempt++) {
      long nominal = backoff.delayMillis(attempt, 1.0);
      assertEquals(nominal / 2 + nominal % 2, backoff.delayMillis(attempt, 0.0));
      for (int i = 0; i < 100; i++) {
        long d = backoff.delayMillis(attempt, r.nextDouble());
        assertTrue(d >= nominal / 2 && d <= nominal, attempt + ": " + d);
      }
    }
  }

  @Test
  void jitterSpreadsRetriesOfItemsThatFailedTogether() {
    Random r = new Random(7);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 1000; i++) {
      long d = backoff.delayMillis(3, r.nextDouble());
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(max - min > 1500, "spread " + (max - min));
  }

  @Test
  void hugeBasesDoNotOverflow() {
    Backoff b = new Backoff(Duration.ofDays(20), Duration.ofDays(30));
    assertEquals(Duration.ofDays(30).toMillis(), b.delayMillis(50, 1.0));
  }

  @Test
  void settingsAreChecked() {
    GoWorkException e = assertThrows(GoWorkException.class,
        () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("backoff"));
  }
}
