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
}
