package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coordinators on one prefix: an HTTP worker asking the coordinator that does not own an item
 * (POST /v1/work/next) is not handed that item once its owner cancelled it.
 */
@ExtendWith(KafkaExtension.class)
class HandoutOfOthersWorkTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Topics topics;

  private WorkServer coordinator(TestKafka k, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(ServerFixture.fastRebalancing(k))
        .topics(topics).clock(clock).nanoTime(clock::nanoTime).shareGroupSettings(ServerFixture.FAST_GROUP)
        .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).commitInterval(Duration.ofMillis(20))
        .getPollTimeout(Duration.ofMillis(100)).workPartitions(1).instanceId(instanceId)
        .operatorKey("operator-key-0123456789").build();
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
  void cancelledWorkIsNotHandedOutByACoordinatorThatMirrorsIt(TestKafka k) {
    topics = Topics.of(k.topicPrefix());
    WorkServer a = coordinator(k, "a");
    WorkServer b = coordinator(k, "b");
    SplitPartitions.await(a, b, WAIT);
    Registration reg = b.workers().register();
    Session session = b.workers().verify(reg.workerId(),
        Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(), reg.challenge()));

    Work cancelled;
    do {
      cancelled = a.createWork("cancelled before anyone took it", 600).withQueue("http");
    } while (!a.ownedPartitions().contains(Ownership.partitionOf(cancelled.id(), 6)));
    a.add(cancelled);
    a.cancel(cancelled.id(), "not needed");
    String cancelledId = cancelled.id();
    Poll.until(() -> b.status(cancelledId).map(s -> s.state() == WorkState.CANCELLED).orElse(false), WAIT,
        "b to mirror the cancel");
    Work live = a.createWork("still wanted", 600).withQueue("http");
    a.add(live); // after the cancelled one, in the queue's only partition

    WorkEnvelope first = Poll.until(() -> {
      Optional<WorkEnvelope> w = b.get(session.workerId(), session.sessionKey(), "http");
      return w.orElse(null);
    }, WAIT, "b to hand out work");
    assertEquals(live.id(), first.workId(), "b handed out work its owner had cancelled: " + first);
  }
}
