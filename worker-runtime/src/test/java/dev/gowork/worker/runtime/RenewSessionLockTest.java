package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.worker.session.Handshake;
import dev.gowork.worker.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A revoke notice calls {@link RenewSession#renewSoon} on the thread that follows {@code <p>.control}.
 * Before the fix {@link RenewSession#renewNow} held the object's lock for its whole handshake (a
 * retrying one may take minutes while the coordinator is away), and renewSoon waited for that lock:
 * the follower stopped, and cancellations and queue pauses were not applied meanwhile.
 */
@Timeout(60)
class RenewSessionLockTest {

  @Test
  void aRevokeNoticeDoesNotWaitForAHandshakeInProgress() throws Exception {
    CountDownLatch inHandshake = new CountDownLatch(1);
    CountDownLatch coordinatorBack = new CountDownLatch(1);
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    Handshake slow = () -> {
      inHandshake.countDown();
      try {
        coordinatorBack.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Instant now = Instant.now();
      return new Session("w", key, now, now.plus(Duration.ofHours(1)), "127.0.0.1:9", "p");
    };
    Instant now = Instant.now();
    AtomicReference<Session> current = new AtomicReference<>(
        new Session("w", key, now, now.plus(Duration.ofHours(1)), "127.0.0.1:9", "p"));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      RenewSession renewal = new RenewSession(slow, current, scheduler, Clock.systemUTC());
      Thread renewing = new Thread(renewal::renewNow, "renewing");
      renewing.setDaemon(true);
      renewing.start();
      assertTrue(inHandshake.await(30, TimeUnit.SECONDS));
      CountDownLatch followerFree = new CountDownLatch(1);
      Thread follower = new Thread(() -> {
        renewal.renewSoon(); // what FollowControl's revoke callback does
        followerFree.countDown();
      }, "follower");
      follower.setDaemon(true);
      follower.start();
      boolean returned = followerFree.await(20, TimeUnit.SECONDS);
      coordinatorBack.countDown();
      assertTrue(returned, "renewSoon() waited for the handshake in progress: the control follower was stuck");
    } finally {
      coordinatorBack.countDown();
      scheduler.shutdownNow();
    }
  }
}
