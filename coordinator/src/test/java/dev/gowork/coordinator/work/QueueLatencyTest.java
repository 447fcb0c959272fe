package dev.gowork.coordinator.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.events.EventDispatcher;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A queue's latency ({@link WorkTable#loads}): how long its oldest item that could run now has waited, on a fake
 * clock. Queued work waits from when it was queued, a retry or requeue from when it was queued again, delayed work
 * from its run time once that has come; running, retrying and finished work does not wait.
 */
class QueueLatencyTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventDispatcher events = new EventDispatcher(clock, new EventLog());
  private final WorkTable table = new WorkTable(events, WireCodec.defaults());

  @AfterEach
  void close() {
    events.close();
  }

  private void add(String id, String queue, int maxAttempts) {
    table.queued(envelope(id, queue, maxAttempts), clock.millis());
  }

  private void addDelayed(String id, Duration delay, int maxAttempts) {
    table.scheduled(envelope(id, "default", maxAttempts), clock.instant().plus(delay).toEpochMilli(), clock.millis());
  }

  private WorkEnvelope envelope(String id, String queue, int maxAttempts) {
    Instant now = clock.instant();
    return new WorkEnvelope(id, queue, 1, maxAttempts, 3600, TextNode.valueOf("x"), now, now.plusSeconds(3600));
  }

  private void result(String id, int attempt, ResultStatus status) {
    assertTrue(table.applyResult(new ResultEnvelope(id, attempt, status, null, status == ResultStatus.COMPLETED ? null
        : "boom", "w-1", 5), "w-1", clock.millis()).accepted());
  }

  private QueueLoad load(String queue) {
    return table.loads(clock.millis()).getOrDefault(queue, new QueueLoad(Map.of(), 0));
  }

  private long latency(String queue) {
    return load(queue).latencyMs();
  }

  private void pass(long seconds) {
    clock.advance(Duration.ofSeconds(seconds));
  }

  @Test
  void queuedWorkWaitsFromWhenItWasQueuedAndTheOldestCounts() {
    assertEquals(0, latency("default"), "nothing waits");
    add("a", "default", 1);
    assertEquals(0, latency("default"), "queued this instant");
    pass(5);
    add("b", "default", 1);
    pass(2);
    assertEquals(7_000, latency("default"));
    assertEquals(2, load("default").count(WorkState.QUEUED), "counted in the same walk");
  }

  @Test
  void eachQueueHasItsOwnLatency() {
    add("a", "emails", 1);
    pass(30);
    add("b", "images", 1);
    pass(4);
    assertEquals(34_000, latency("emails"));
    assertEquals(4_000, latency("images"));
    result("a", 1, ResultStatus.COMPLETED);
    assertEquals(0, latency("emails"), "the queue's only item finished");
    assertEquals(4_000, latency("images"));
  }

  @Test
  void runningAndFinishedWorkDoesNotWait() {
    add("handed-out", "default", 1);
    add("noticed", "default", 1);
    add("done", "default", 1);
    add("cancelled", "default", 1);
    pass(60);
    assertEquals(60_000, latency("default"));
    assertTrue(table.start("handed-out", 1, "w-1", clock.millis()).accepted());
    assertTrue(table.noteRunning("noticed", 1, "w-2", null, clock.millis()).accepted());
    result("done", 1, ResultStatus.COMPLETED);
    table.cancel("cancelled", null, clock.millis());
    pass(60);
    assertEquals(0, latency("default"));
    assertEquals(2, load("default").count(WorkState.RUNNING));
  }

  @Test
  void delayedWorkWaitsFromItsRunTimeOnceThatHasCome() {
    addDelayed("later", Duration.ofSeconds(30), 1);
    pass(10);
    assertEquals(0, latency("default"), "not due for another 20 s");
    assertEquals(1, load("default").count(WorkState.SCHEDULED));
    pass(35);
    assertEquals(15_000, latency("default"), "due 15 s ago, not yet released");
    pass(5);
    assertTrue(table.released("later", clock.millis()));
    pass(1);
    assertEquals(21_000, latency("default"), "from its run time, not from its (late) release");
  }

  @Test
  void aRetryWaitsFromWhenItWasQueuedAgainNotFromItsCreation() {
    add("a", "default", 3);
    pass(10);
    result("a", 1, ResultStatus.FAILED);
    pass(20);
    assertEquals(0, latency("default"), "waiting out its backoff is not waiting to run");
    assertEquals(1, load("default").count(WorkState.RETRY_WAIT));
    assertTrue(table.retried("a", 2, clock.millis()));
    pass(3);
    assertEquals(3_000, latency("default"));
  }

  @Test
  void aRetryOfDelayedWorkWaitsFromItsRequeueNotFromItsRunTime() {
    addDelayed("later", Duration.ofSeconds(5), 2);
    pass(5);
    assertTrue(table.released("later", clock.millis()));
    result("later", 1, ResultStatus.FAILED);
    pass(40);
    assertTrue(table.retried("later", 2, clock.millis()));
    pass(2);
    assertEquals(2_000, latency("default"));
  }

  @Test
  void aRequeuedDeadLetterWaitsFromItsRequeue() {
    add("a", "default", 1);
    table.start("a", 1, "w-1", clock.millis());
    result("a", 1, ResultStatus.FAILED);
    add("b", "default", 2);
    result("b", 1, ResultStatus.FAILED);
    table.retried("b", 2, clock.millis());
    result("b", 2, ResultStatus.FAILED);
    pass(600);
    table.revive("b", clock.millis());
    pass(8);
    assertEquals(8_000, latency("default"));
  }

  @Test
  void mirroredWorkOfAnotherCoordinatorCounts() {
    pass(100);
    WorkRecord theirs = new WorkRecord("m", "default", clock.millis() - 50_000, clock.millis() + 3_600_000, 3600, 2, 3);
    theirs.updatedAt = clock.millis() - 12_000; // queued again for attempt 2, 12 s ago
    String[] problem = new String[1];
    assertTrue(table.follow("m", new WorkStateCodec(WireCodec.defaults()).encode(theirs), problem).isPresent(),
        problem[0]);
    assertEquals(12_000, latency("default"));
  }
}
