package dev.gowork.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  @Test
  void allowsABurstThenRefillsOneTokenPerPeriod() {
    TokenBucket b = new TokenBucket(3, 1000, 0);
    assertTrue(b.tryTake(0));
    assertTrue(b.tryTake(0));
    assertTrue(b.tryTake(0));
    assertFalse(b.tryTake(0));
    assertFalse(b.hasToken(999));
    assertTrue(b.hasToken(1000));
    assertTrue(b.tryTake(1000));
    assertFalse(b.tryTake(1500));
  }

  @Test
  void neverHoldsMoreThanItsCapacity() {
    TokenBucket b = new TokenBucket(2, 10, 0);
    for (int i = 0; i < 2; i++) {
      assertTrue(b.tryTake(1_000_000));
    }
    assertFalse(b.tryTake(1_000_000));
  }

  @Test
  void timeGoingBackwardsDoesNotMintTokens() {
    TokenBucket b = new TokenBucket(1, 1000, 5000);
    assertTrue(b.tryTake(5000));
    assertFalse(b.tryTake(0));
    assertFalse(b.tryTake(5999));
    assertTrue(b.tryTake(6000));
  }

  @Test
  void hasTokenTakesNothing() {
    TokenBucket b = new TokenBucket(1, 1000, 0);
    assertTrue(b.hasToken(0));
    assertTrue(b.hasToken(0));
    assertTrue(b.tryTake(0));
  }
}
