package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.topic.Topics;
import dev.gowork.coordinator.auth.Registration;
import dev.gowork.coordinator.auth.WorkerState;
import dev.gowork.coordinator.forward.OwnerRequests;
import dev.gowork.coordinator.testing.MutableClock;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.Ownership;
import dev.gowork.coordinator.work.WorkState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two coordinators on one prefix (real broker): a forwarded cancel or revoke that the owner reads
 * before its mirror holds the item (or the worker's session) is applied once the mirror catches up,
 * not dropped. The non-owner forwards what its own table holds: work it just added (its state record
 * in the same or the previous transaction), a session it just opened, so the owner's state follower
 * may still be behind the results consumer when the request arrives. Here the request is committed
 * strictly before the item and the session exist, which is that interleaving made certain.
 */
@ExtendWith(KafkaExtension.class)
class ForwardToUnmirroredOwnerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** What the service takes from GOWORK_API_TOKEN: every coordinator has it, workers do not. */
  private static final String OPERATOR_KEY = "operator-key-0123456789";
  private final MutableClock clock = MutableClock.atNow();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Topics topics;
  private WorkServer a;
  private WorkServer b;

  private WorkServer coordinator(TestKafka k, String instanceId) {
    WorkServer s = WorkServer.builder().secret(ServerFixture.SECRET).kafka(ServerFixture.fastRebalancing(k))
        .topics(topics).clock(clock).shareGroupSettings(ServerFixture.FAST_GROUP).commitInterval(Duration.ofMillis(20))
        .instanceId(instanceId).operatorKey(OPERATOR_KEY).build();
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
  void aForwardedRequestReadBeforeTheOwnerMirrorsItsSubjectWaitsForItInsteadOfBeingDropped(TestKafka k) {
    topics = Topics.of(k.topicPrefix());
    a = coordinator(k, "a");
    b = coordinator(k, "b");
    Poll.until(() -> !a.ownedPartitions().isEmpty() && !b.ownedPartitions().isEmpty()
        && a.ownedPartitions().size() + b.ownedPartitions().size() == 6, WAIT, "the two to split the partitions");

    Work w;
    do {
      w = a.createWork("nobody takes this", 600).withQueue("unserved");
    } while (!b.ownedPartitions().contains(Ownership.partitionOf(w.id(), 6)));
    Registration reg;
    do {
      reg = a.workers().register();
    } while (!b.ownedPartitions().contains(Ownership.partitionOf(reg.workerId(), 6)));

    // What a sends for a.cancel(w) and a.workers().revoke(worker), committed before b can know either.
    try (Producer<String, byte[]> p = k.clients().producer()) {
      p.send(request(w.id(), "{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\",\"id\":\"" + w.id()
          + "\",\"reason\":\"changed my mind\",\"from\":\"a\"}"));
      p.send(request(reg.workerId(), "{\"schema\":\"gowork.owner-request/v1\",\"request\":\"revoke\",\"id\":\""
          + reg.workerId() + "\",\"from\":\"a\"}"));
      p.flush();
    }
    a.add(w);
    a.workers().verify(reg.workerId(), Signatures.verifyResponse(ServerFixture.SECRET, reg.workerId(), reg.challenge()));

    String id = w.id();
    String workerId = reg.workerId();
    Poll.until(() -> b.status(id).map(s -> s.state() == WorkState.CANCELLED).orElse(false), WAIT,
        "b to cancel the work once it knows it (it was left " + b.status(id).map(s -> s.state()).orElse(null) + ")");
    Poll.until(() -> workerState(b, workerId) == WorkerState.REVOKED, WAIT, "b to revoke the worker once it knows it");
    assertEquals(WorkerState.REVOKED, workerState(b, workerId));
  }

  private ProducerRecord<String, byte[]> request(String key, String json) {
    byte[] value = json.getBytes(StandardCharsets.UTF_8);
    long ts = clock.millis();
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.results(), key, value);
    r.headers().add(OwnerRequests.HEADER, "v1".getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.TIMESTAMP, Long.toString(ts).getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.SIGNATURE,
        Signatures.signRequest(OPERATOR_KEY.getBytes(StandardCharsets.UTF_8), ts, value).getBytes(StandardCharsets.UTF_8));
    return r;
  }

  private static WorkerState workerState(WorkServer s, String workerId) {
    return s.workers().list().stream().filter(x -> x.workerId().equals(workerId)).map(x -> x.state()).findFirst()
        .orElse(null);
  }
}
