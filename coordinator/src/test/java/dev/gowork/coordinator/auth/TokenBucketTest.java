package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long MS = 1_000_000L; // the bucket takes nanoTime

  @Test
  void allowsABurstThenRefillsOneTokenPerPeriod() {
    TokenBucket b = new TokenBucket(3, Duration.ofSeconds(1), 0);
    assertTrue(b.tryTake(0));
    assertTrue(b.tryTake(0));
    assertTrue(b.tryTake(0));
    assertFalse(b.tryTake(0));
    assertFalse(b.hasToken(999 * MS));
    assertTrue(b.hasToken(1000 * MS));
    assertTrue(b.tryTake(1000 * MS));
    assertFalse(b.tryTake(1500 * MS));
  }

  @Test
  void neverHoldsMoreThanItsCapacity() {
    TokenBucket b = new TokenBucket(2, Duration.ofMillis(10), 0);
    for (int i = 0; i < 2; i++) {
      assertTrue(b.tryTake(1_000_000 * MS));
    }
    assertFalse(b.tryTake(1_000_000 * MS));
  }

  @Test
  void timeGoingBackwardsDoesNotMintTokens() {
    TokenBucket b = new TokenBucket(1, Duration.ofSeconds(1), 5000 * MS);
    assertTrue(b.tryTake(5000 * MS));
    assertFalse(b.tryTake(0));
    assertFalse(b.tryTake(5999 * MS));
    assertTrue(b.tryTake(6000 * MS));
  }

  @Test
  void hasTokenTakesNothing() {
    TokenBucket b = new TokenBucket(1, Duration.ofSeconds(1), 0);
    assertTrue(b.hasToken(0));
    assertTrue(b.hasToken(0));
    assertTrue(b.tryTake(0));
  }

  @Test
  void refillsAcrossTheEndOfTheNanoTimeRange() {
    long start = Long.MAX_VALUE - 500 * MS;
    TokenBucket b = new TokenBucket(1, Duration.ofSeconds(1), start);
    assertTrue(b.tryTake(start));
    assertFalse(b.tryTake(start + 999 * MS), "nanoTime wraps: compared by difference");
    assertTrue(b.tryTake(start + 1000 * MS));
  }
}
