package dev.gowork.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WaitForWorkTest {

  @Test
  void aCoordinatorThatAnswersAtOnceIsNotAskedAgainInATightLoop() {
    // A coordinator that ignores ?wait (one older than the long poll) answers "running" at once.
    StubCoordinator old = new StubCoordinator().on("GET", "/v1/work/w", r -> new StubCoordinator.Answer(200,
        "{\"workId\":\"w\",\"state\":\"running\"}"));
    try {
      CoordinatorClient client = new CoordinatorClient(URI.create(old.url()), null, "test", Duration.ofSeconds(10));
      // A fake clock: each reading moves it 1 ms on, a pause moves it by the pause.
      AtomicLong now = new AtomicLong();
      var status = WaitForWork.await(client, "w", Duration.ofSeconds(3), () -> now.addAndGet(1_000_000L),
          nanos -> now.addAndGet(nanos));
      assertEquals("running", status.get("state").asText());
      assertTrue(old.requests().size() <= 5, "at most about one poll a second: " + old.requests().size());
      assertEquals("wait=0", old.requests().get(old.requests().size() - 1).query(), "the last asks for the state now");
    } finally {
      old.close();
    }
  }

  @Test
  void severalItemsShareOneDeadlineSoTheWaitIsNotPerItem() {
    StubCoordinator running = new StubCoordinator()
        .on("GET", "/v1/work/a", r -> new StubCoordinator.Answer(200, "{\"workId\":\"a\",\"state\":\"running\"}"))
        .on("GET", "/v1/work/b", r -> new StubCoordinator.Answer(200, "{\"workId\":\"b\",\"state\":\"running\"}"));
    try {
      CoordinatorClient client = new CoordinatorClient(URI.create(running.url()), null, "test", Duration.ofSeconds(10));
      AtomicLong now = new AtomicLong();
      var each = WaitForWork.eachUntil(client, Duration.ofSeconds(3), () -> now.addAndGet(1_000_000L),
          nanos -> now.addAndGet(nanos));
      assertEquals("running", each.apply("a").get("state").asText());
      int askedForA = running.requests().size();
      assertEquals("running", each.apply("b").get("state").asText());
      assertEquals(askedForA + 1, running.requests().size(), "the deadline had passed: b is asked once");
      assertEquals("wait=0", running.requests().get(running.requests().size() - 1).query(), "without waiting");
      assertTrue(now.get() < Duration.ofSeconds(4).toNanos(), "3 s in all, not 3 s each: " + now.get());
    } finally {
      running.close();
    }
  }
}
