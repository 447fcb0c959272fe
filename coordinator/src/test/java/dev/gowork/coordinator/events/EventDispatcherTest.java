package dev.gowork.coordinator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.testing.EventLog;
import dev.gowork.coordinator.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final EventLog published = new EventLog();

  @Test
  void aThrowingHandlerDoesNotStopLaterEvents() {
    EventDispatcher d = new EventDispatcher(clock, published);
    List<String> seen = new CopyOnWriteArrayList<>();
    d.register("work_complete", (e, p) -> {
      seen.add(e.workId());
      if (e.workId().equals("w1")) {
        throw new IllegalStateException("handler bug");
      }
    });
    d.event(EventType.WORK_COMPLETE).work("w1").fire();
    d.event(EventType.WORK_COMPLETE).work("w2").fire();
    d.close();
    assertEquals(List.of("w1", "w2"), seen);
    assertEquals(1, d.handlerFailures());
    assertEquals(2, published.all().size());
  }

  @Test
  void aHandlerThrowingACheckedExceptionOrAnErrorDoesNotSkipTheRestOfItsBatch() {
    EventDispatcher d = new EventDispatcher(clock, published);
    List<String> seen = new CopyOnWriteArrayList<>();
    d.register("work_complete", (e, p) -> {
      seen.add(e.workId());
      if (e.workId().equals("w1")) {
        sneakyThrow(new java.io.IOException("a Kotlin handler's IOException"));
      }
      if (e.workId().equals("w2")) {
        throw new StackOverflowError("deep");
      }
    });
    List<Event> batch = List.of("w1", "w2", "w3").stream()
        .map(id -> new Event("e-" + id, EventType.WORK_COMPLETE, clock.instant(), "default", id, null, 1, 1, null, null))
        .toList();
    assertTrue(d.deliverAndWait(batch));
    d.close();
    assertEquals(List.of("w1", "w2", "w3"), seen);
    assertEquals(2, d.handlerFailures());
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void handlersGetTheParamsAndListenersSeeEveryEventInOrder() {
    EventDispatcher d = new EventDispatcher(clock, published);
    List<Object> params = new CopyOnWriteArrayList<>();
    List<EventType> listened = new CopyOnWriteArrayList<>();
    d.addParams(Map.of("param1", "value1"));
    d.addParams(Map.of("param2", 2));
    d.register("add_work", (e, p) -> params.add(p));
    d.onEvent(e -> listened.add(e.type()));
    d.event(EventType.ADD_WORK).work("a").fire();
    d.event(EventType.GET_WORK_EMPTY).fire();
    d.close();
    assertEquals(List.of(Map.of("param1", "value1", "param2", 2)), params);
    assertEquals(List.of(EventType.ADD_WORK, EventType.GET_WORK_EMPTY), listened);
  }

  @Test
  void aSecondHandlerForTheSameIdIsAConflictAndFiresAddHandlerError() {
    EventDispatcher d = new EventDispatcher(clock, published);
    d.register("work_timeout", (e, p) -> { });
    GoWorkException e = assertThrows(GoWorkException.class, () -> d.register("work_timeout", (ev, p) -> { }));
    assertEquals(ErrorCode.CONFLICT, e.code());
    GoWorkException unknown = assertThrows(GoWorkException.class, () -> d.register("no_such_event", (ev, p) -> { }));
    assertEquals(ErrorCode.INVALID_ARGUMENT, unknown.code());
    d.close();
    assertEquals(2, published.of(EventType.ADD_HANDLER_ERROR).size());
  }

  @Test
  void draftsCarryTheirFieldsAndTheClockTime() {
    EventDispatcher d = new EventDispatcher(clock, published);
    Event e = d.event(EventType.WORK_FAILED).queue("q").work("w").worker("k").attempt(2).durationMs(7).error("x").fire();
    d.close();
    assertEquals(new Event(e.id(), EventType.WORK_FAILED, clock.instant(), "q", "w", "k", 2, 7L, "x"), e);
    assertTrue(e.id().matches("[0-9a-f-]{36}"));
    assertEquals(List.of(e), published.all());
  }

  @Test
  void aThrowingSinkDoesNotStopDispatch() {
    EventDispatcher d = new EventDispatcher(clock, e -> {
      throw new IllegalStateException("kafka down");
    });
    EventLog handled = new EventLog();
    d.onEvent(handled);
    d.event(EventType.ADD_WORK).fire();
    d.event(EventType.ADD_WORK).fire();
    d.close();
    assertEquals(2, handled.all().size());
  }

  @Test
  void aBatchTheDispatcherNeverRanFailsItsFutureWhenItCrashes() throws Exception {
    EventDispatcher d = EventDispatcher.toJournal(clock, dev.gowork.coordinator.state.Journal.discarding(),
        dev.gowork.broker.wire.WireCodec.defaults());
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    d.register("work_complete", (e, p) -> {
      running.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
    });
    Event blocking = new Event("e1", EventType.WORK_COMPLETE, Instant.now(), "default", "w1", null, 1, null, null);
    Event queued = new Event("e2", EventType.WORK_COMPLETE, Instant.now(), "default", "w2", null, 1, null, null);
    d.deliverLater(List.of(blocking));
    assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS));
    java.util.concurrent.CompletableFuture<Void> behind = d.deliverLater(List.of(queued));
    d.crash();
    assertThrows(java.util.concurrent.ExecutionException.class,
        () -> behind.get(10, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(!d.deliverAndWait(List.of(queued)), "a dispatcher that stopped delivers nothing");
  }
}
