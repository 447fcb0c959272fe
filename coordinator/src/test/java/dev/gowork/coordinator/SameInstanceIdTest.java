package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.EventType;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.AutoWorker;
import dev.gowork.coordinator.testing.CapturedWarnings;
import dev.gowork.coordinator.testing.EventsTopic;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.GroupState;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two live coordinators started with the same instance id on one prefix (real broker): a user runs
 * {@code gowork coordinator} twice, or scales a Deployment instead of a StatefulSet. The second takes
 * the first's transactional id and static group memberships over. Before 2026-12-07 the first
 * rejoined its groups after each fence, fencing the second's memberships in turn: the handlers'
 * group changed hands every second for as long as both ran (the first's handlers were fed the
 * second's events), each logging {@code FencedInstanceIdException}, and the first said only that it
 * "was fenced". Now the first stops for good and names the mistake; the second keeps working.
 */
@ExtendWith(KafkaExtension.class)
class SameInstanceIdTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();

  private WorkServer coordinator(KafkaClients clients, Topics topics, Set<String> completedHere) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(clients).topics(topics).clock(clock)
        .shareGroupSettings(ServerFixture.FAST_GROUP).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .build(); // instance id 0, the default, for both
    s.newHandler(EventType.WORK_COMPLETE.id(), (e, params) -> completedHere.add(e.workId()));
    open.add(s);
    return s.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void theFirstStopsForGoodNamingTheSharedIdAndTheSecondKeepsWorkingWithItsGroupsUnchanged(TestKafka k)
      throws Exception {
    Topics topics = Topics.of(k.topicPrefix());
    KafkaClients clients = ServerFixture.fastRebalancing(k);
    Set<String> handledByFirst = ConcurrentHashMap.newKeySet();
    Set<String> handledBySecond = ConcurrentHashMap.newKeySet();
    try (CapturedWarnings errors = CapturedWarnings.from(Level.ERROR, "dev.gowork");
        Admin admin = k.clients().admin()) {
      WorkServer first = coordinator(clients, topics, handledByFirst);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Work w = first.createWork(Map.of("accepted by", "the first", "n", i), 3600);
        first.add(w); // committed before the second starts: the second finishes it
        ids.add(w.id());
      }

      WorkServer second = coordinator(clients, topics, handledBySecond);
      Poll.until(() -> first.failure().isPresent(), WAIT, "the first to report that it was taken over");
      String why = first.failure().orElseThrow();
      assertTrue(why.contains("another coordinator with instance id 0 took over") && why.contains("GOWORK_INSTANCE_ID"),
          why);
      GoWorkException refused = assertThrows(GoWorkException.class,
          () -> first.add(first.createWork("after the takeover", 60)));
      assertEquals(ErrorCode.UNAVAILABLE, refused.code(), "refused with a retryable error");
      assertTrue(refused.getMessage().startsWith("the state could not be committed: fenced: another coordinator"),
          refused.getMessage());
      assertFalse(refused.getMessage().matches(".*\\b(java|dev\\.gowork|org\\.apache)\\..*"),
          "no class name for a client: " + refused.getMessage());

      Map<String, String> members = members(admin, topics);
      Session s = session(second);
      open.add(new AutoWorker(k.clients(), topics, Topics.DEFAULT_QUEUE, s.workerId(), s.sessionKey(), clock));
      for (int i = 0; i < 5; i++) {
        // One at a time, so that the second works for a while after the takeover.
        Work w = second.createWork(Map.of("accepted by", "the second", "n", i), 3600);
        second.add(w);
        ids.add(w.id());
        Poll.until(() -> second.status(w.id()).filter(st -> st.state() == WorkState.COMPLETED).isPresent(), WAIT,
            "the second to complete " + w.id());
      }
      Poll.until(() -> EventsTopic.terminalByWork(EventsTopic.readAll(k.clients(), topics.events())).keySet()
          .containsAll(ids), WAIT, "every item's terminal event");
      EventsTopic.assertOneTerminalEach(EventsTopic.readAll(k.clients(), topics.events()), ids,
          EventType.WORK_COMPLETE);
      Poll.until(() -> handledBySecond.containsAll(ids), WAIT, "the second's handlers to see every completion");

      assertTrue(second.failure().isEmpty(), () -> second.failure().get());
      assertEquals(members, members(admin, topics), "the second kept its memberships: nobody fenced it back");
      assertEquals(Set.of(), handledByFirst, "the first's handlers were fed none of the second's events");
      assertTrue(first.failure().isPresent());
      List<String> takeovers = errors.lines().stream().filter(l -> l.contains("took over")).toList();
      assertEquals(1, takeovers.size(), "logged once: " + errors.lines());
    }
  }

  /** The member id in each of the coordinators' groups, once both are stable with one member (the second). */
  private static Map<String, String> members(Admin admin, Topics topics) {
    List<String> groups = List.of(topics.coordinatorGroup(), topics.handlerGroup());
    return Poll.until(() -> {
      Map<String, String> members = new TreeMap<>();
      try {
        admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS).forEach((g, d) -> {
          if (d.groupState() == GroupState.STABLE && d.members().size() == 1) {
            members.put(g, d.members().iterator().next().consumerId());
          }
        });
      } catch (Exception e) {
        return null;
      }
      return members.size() == groups.size() ? members : null;
    }, WAIT, "both coordinators' groups to be stable with one member");
  }

  private static Session session(WorkServer via) {
    Registration r = via.workers().register();
    return via.workers().verify(r.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, r.workerId(),
        r.challenge()));
  }
}
