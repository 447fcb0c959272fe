package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.Event;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.AutoWorker;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Lifecycle;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.state.TransactionalWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Results partitions move between two coordinators while results flow (real broker): a coordinator
 * joins, leaves and joins again. After each round every item has exactly one terminal state record on
 * {@code <p>.state} and one terminal event on {@code <p>.events} (both read_committed), its last state
 * record is that terminal one, and both coordinators report it finished: none doubled, none lost or
 * stuck.
 *
 * <p>Found with it (2026-12-06): (1) results whose add was not committed yet when the owner read
 * them (the adder's transactions fail with the group's generation during a rebalance, for about the
 * heartbeat interval) were dropped and their offsets committed, the items stuck until their deadline
 * (17-201 per run, in the hand-over rounds too); fixed, the owner now waits for the work's state.
 * (2) A coordinator thrown out of the group (its member removed by Admin, as a session timeout would)
 * committed, after {@code onPartitionsLost}, the changes it made for the lost partitions, which their
 * new owner re-derived from the results: two {@code work_complete} events (19 items in 1 of 3 runs);
 * fixed, such a coordinator now stops committing and asks for a restart ({@code TwoCoordinatorsTest}
 * reproduces it every time).
 */
@ExtendWith(KafkaExtension.class)
class RebalanceMidStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration ROUND_WAIT = Duration.ofSeconds(12);
  private static final Set<String> TERMINAL_STATES = Set.of("completed", "failed", "timed_out", "dead");
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private TestKafka kafka;
  private Topics topics;

  private WorkServer coordinator(String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(kafka.clients()).topics(topics)
        .clock(clock).nanoTime(clock::nanoTime).shareGroupSettings(ServerFixture.FAST_GROUP).instanceId(instanceId)
        .build();
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    List<AutoCloseable> all = new ArrayList<>(open);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      c.close();
    }
  }

  @Test
  void everyItemEndsOnceWhileCoordinatorsJoinAndLeaveMidStream(TestKafka k) throws Exception {
    WorkServer[] b = {null};
    everyItemEndsOnce(k, b, List.of(
        new Round("b joins", () -> b[0] = coordinator("b")),
        new Round("b leaves", () -> b[0].close()),
        new Round("b joins again", () -> b[0] = coordinator("b"))));
  }

  /** Streams work through a while each round's disruption runs (b[0] is the second coordinator), then checks every item. */
  private void everyItemEndsOnce(TestKafka k, WorkServer[] b, List<Round> rounds) throws Exception {
    kafka = k;
    topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator("a");
    Registration r = a.workers().register();
    Session s = a.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(),
        r.challenge()));
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));
    open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));

    List<String> all = new ArrayList<>();
    for (Round round : rounds) {
      long began = System.nanoTime();
      List<String> ids = stream(a, round.disruption);
      all.addAll(ids);
      // Not a failure yet: the rounds go on, and the end says what went wrong in all of them.
      boolean ended = settles(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events()))
          .keySet().containsAll(ids), ROUND_WAIT);
      System.out.printf("MEASURED round '%s': %d items, %s in %d ms%n", round.name, ids.size(),
          ended ? "all ended" : "NOT all ended", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    Map<String, List<Event>> terminal = EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events()));
    Map<String, List<String>> states = stateHistory();
    List<String> doubled = new ArrayList<>();
    List<String> unfinished = new ArrayList<>();
    for (String id : all) {
      List<String> h = states.getOrDefault(id, List.of());
      // Two decisions are two terminal records from different writers; the adder re-saving a state it
      // already holds (its add acknowledged after the result) is one decision written twice.
      long deciders = h.stream().filter(x -> TERMINAL_STATES.contains(x.split("@")[0])).map(x -> x.split("@")[1])
          .distinct().count();
      int events = terminal.getOrDefault(id, List.of()).size();
      String seen = id + " (results partition " + Ownership.partitionOf(id, 6) + "): states " + h + ", "
          + events + " terminal events, status on a " + a.status(id).map(st -> st.state()).orElse(null);
      if (deciders > 1 || events > 1) {
        doubled.add(seen);
      } else if (deciders == 0 || events == 0 || !TERMINAL_STATES.contains(h.get(h.size() - 1).split("@")[0])) {
        unfinished.add(seen);
      }
    }
    assertEquals(List.of(), union(sample(doubled), sample(unfinished)), doubled.size() + " of " + all.size()
        + " items with more than one terminal state or event, " + unfinished.size()
        + " without a terminal state and event (lost or stuck)");
    assertEquals(Set.of(), all.stream().filter(id -> !terminal.get(id).get(0).type().equals(EventType.WORK_COMPLETE))
        .collect(java.util.stream.Collectors.toSet()), "items whose one terminal event is not work_complete");
    for (WorkServer c : List.of(a, b[0])) {
      Poll.until(() -> all.stream().allMatch(id -> c.status(id).map(st -> Lifecycle.isTerminal(st.state()))
          .orElse(false)), ROUND_WAIT, "every item finished in the status of each coordinator");
    }
  }

  private static List<String> union(List<String> x, List<String> y) {
    List<String> u = new ArrayList<>(x);
    u.addAll(y);
    return u;
  }

  private static List<String> sample(List<String> l) {
    return l.size() > 10 ? l.subList(0, 10) : l;
  }

  private static boolean settles(java.util.function.BooleanSupplier check, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private record Round(String name, Runnable disruption) {}

  /**
   * Adds batches through {@code via} for about 2.5 s from another thread and runs {@code disruption}
   * 0.8 s in, so results of many items are in flight when the partitions move.
   */
  private List<String> stream(WorkServer via, Runnable disruption) throws InterruptedException {
    List<String> ids = new CopyOnWriteArrayList<>();
    long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    Thread feeder = new Thread(() -> {
      int n = 0;
      while (System.nanoTime() < end) {
        List<Work> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(via.createWork(Map.of("n", n++), 600));
        }
        via.addAll(batch);
        batch.forEach(w -> ids.add(w.id()));
      }
    }, "test-feeder");
    feeder.start();
    Thread.sleep(800);
    disruption.run();
    feeder.join(30_000);
    return List.copyOf(ids);
  }

  /** Every state record of every item, in order, read_committed from the beginning: {@code state@instanceId}. */
  private Map<String, List<String>> stateHistory() throws IOException {
    WireCodec codec = WireCodec.defaults();
    Map<String, List<String>> out = new HashMap<>();
    try (Consumer<String, byte[]> c = kafka.clients().consumer(null, Map.of())) {
      List<TopicPartition> tps = c.partitionsFor(topics.state(), Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topics.state(), p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(tps, Duration.ofSeconds(10)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!end.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(100))) {
          if (rec.value() != null) {
            JsonNode v = codec.mapper().readTree(rec.value());
            Header w = rec.headers().lastHeader(TransactionalWriter.WRITER_HEADER);
            String writer = w == null ? "?" : new String(w.value(), StandardCharsets.UTF_8);
            out.computeIfAbsent(rec.key(), x -> new ArrayList<>())
                .add(v.path("state").asText() + "@" + writer.substring(writer.lastIndexOf('-') + 1));
          }
        }
        end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
      }
    }
    return out;
  }
}
