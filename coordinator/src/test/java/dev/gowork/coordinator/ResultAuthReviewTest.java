package dev.gowork.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.broker.wire.EventType;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.auth.Session;
import dev.gowork.coordinator.testing.Poll;
import dev.gowork.coordinator.work.WorkState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Security review: how results on the results topic are authenticated. */
@ExtendWith(KafkaExtension.class)
class ResultAuthReviewTest extends ServerFixture {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * docs/coordinator.md: work handed out over HTTP takes results only from the worker it went to. Another
   * verified worker that names the next attempt on the results topic (an attempt never handed out: the
   * coordinator ACCEPTed the record) is refused, also by a coordinator restarted from the state topics.
   */
  @Test
  void anotherWorkerCannotCompleteWorkHandedOutOverHttpByNamingTheNextAttempt(TestKafka k) {
    start(k);
    Session s = handshake();
    server.add(server.createWork(Map.of("job", "resize"), 60));
    WorkEnvelope got = Poll.until(() -> server.get(s.workerId(), s.sessionKey()).orElse(null), WAIT, "get");
    log.await(EventType.WORK_STARTED, got.workId());
    Session other = handshake();
    worker(other).send(got.withAttempt(got.attempt() + 1), ResultStatus.COMPLETED, "forged", null);
    decided(got.workId());
    assertEquals(WorkState.RUNNING, server.status(got.workId()).orElseThrow().state());

    crashAndRestart(() -> { });
    worker(other).send(got.withAttempt(got.attempt() + 2), ResultStatus.COMPLETED, "forged again", null);
    Poll.until(() -> log.of(EventType.RESULT_REJECTED, got.workId()).stream()
        .anyMatch(e -> Integer.valueOf(got.attempt() + 2).equals(e.attempt()))
        || server.status(got.workId()).map(st -> st.state() != WorkState.RUNNING).orElse(false), WAIT,
        "the second forged result decided");
    var status = server.status(got.workId()).orElseThrow();
    assertEquals(WorkState.RUNNING, status.state(), "taken from " + other.workerId() + ", result " + status.result()
        + ", worker " + status.workerId() + " (handed to " + s.workerId() + ")");
    server.submit(s.workerId(), s.sessionKey(), new ResultEnvelope(got.workId(), got.attempt(),
        ResultStatus.COMPLETED, null, null, null, 1));
    log.await(EventType.WORK_COMPLETE, got.workId());
  }

  /**
   * docs/coordinator.md: only a coordinator sets the hand-out mark. A verified worker that sends, for
   * queued work another worker runs over Kafka, its own running notice with the mark reserved for
   * coordinators ({"handedOut":true}, signed with its session key) does not stop the next attempt (the
   * record delivered again after the first worker's lock ran out) from being taken.
   */
  @Test
  void aWorkerCannotMarkWorkAsHandedOutOverHttpToBlockItsNextAttempt(TestKafka k) {
    start(k, b -> b.operatorKey("operator-key-0123456789")).start();
    Session forger = handshake();
    Session runner = handshake();
    server.add(server.createWork(Map.of("job", "resize"), 60));
    WorkEnvelope got = worker(runner).take(WAIT);
    worker(forger).send(got, ResultStatus.RUNNING, Map.of("handedOut", true), null);
    log.await(EventType.WORK_STARTED, got.workId());
    assertEquals(forger.workerId(), server.status(got.workId()).orElseThrow().workerId());

    worker(runner).send(got.withAttempt(got.attempt() + 1), ResultStatus.COMPLETED, "done", null);
    decided(got.workId());
    assertEquals(java.util.List.of(), log.of(EventType.RESULT_REJECTED, got.workId()).stream().map(e -> e.error())
        .toList());
    assertEquals(WorkState.COMPLETED, server.status(got.workId()).orElseThrow().state());
  }

  /**
   * docs/coordinator.md: a revocation is announced on every results partition once committed, so that
   * each coordinator judges the results written after it with the revocation, not only once its
   * mirror has read it: a {@code revoked} request, signed with the operator key, in each partition.
   */
  @Test
  void aRevocationIsAnnouncedOnEveryResultsPartitionAndResultsSignedWithTheSessionAreRefused(TestKafka k) {
    start(k, b -> b.operatorKey("operator-key-0123456789")).start();
    Session s = handshake();
    server.add(server.createWork(Map.of("job", "resize"), 60));
    WorkEnvelope got = worker(s).take(WAIT);
    server.workers().revoke(s.workerId());

    java.util.Set<Integer> announced = new java.util.HashSet<>();
    try (var c = kafka.clients().consumer(null, Map.of())) {
      int partitions = c.partitionsFor(topics.results()).size();
      var parts = new java.util.ArrayList<org.apache.kafka.common.TopicPartition>();
      for (int p = 0; p < partitions; p++) {
        parts.add(new org.apache.kafka.common.TopicPartition(topics.results(), p));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Poll.until(() -> {
        for (var r : c.poll(Duration.ofMillis(100))) {
          String v = new String(r.value(), StandardCharsets.UTF_8);
          if (r.headers().lastHeader("gowork-request") != null && v.contains("\"request\":\"revoked\"")
              && s.workerId().equals(r.key())) {
            announced.add(r.partition());
          }
        }
        return announced.size() == partitions;
      }, WAIT, "a revoked notice in each of the " + partitions + " results partitions, seen " + announced);
    }
    worker(s).send(got, ResultStatus.COMPLETED, "late", null);
    decided(got.workId());
    assertEquals(java.util.List.of("unknown or expired session"), log.of(EventType.RESULT_REJECTED, got.workId())
        .stream().map(e -> e.error()).toList());
  }

  /** Until the result was applied (the work left QUEUED/RUNNING) or refused. */
  private void decided(String workId) {
    Poll.until(() -> !log.of(EventType.RESULT_REJECTED, workId).isEmpty()
        || server.status(workId).map(st -> st.state() != WorkState.RUNNING && st.state() != WorkState.QUEUED)
            .orElse(false), WAIT, "the result of " + workId + " decided");
  }

  /**
   * The contract signs "timestamp = epoch milliseconds, the same string as the gowork-timestamp
   * header". A header that is another spelling of the signed number ("+…", leading zeros) is taken.
   */
  @Test
  void aTimestampHeaderOtherThanTheSignedStringIsRefused(TestKafka k) {
    start(k);
    Session s = handshake();
    server.add(server.createWork(Map.of("n", 1), 60));
    var w = worker(s);
    WorkEnvelope got = w.take(WAIT);
    SignedResult signed = SignedResult.sign(WireCodec.defaults(),
        new ResultEnvelope(got.workId(), got.attempt(), ResultStatus.COMPLETED, null, null, null, 1),
        s.workerId(), s.sessionKey(), clock);
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.results(), got.workId(), signed.value());
    r.headers().add(ResultHeaders.WORKER_ID, s.workerId().getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.TIMESTAMP, ("+0" + signed.timestampMillis()).getBytes(StandardCharsets.UTF_8));
    r.headers().add(ResultHeaders.SIGNATURE, signed.signature().getBytes(StandardCharsets.UTF_8));
    w.send(r);
    decided(got.workId());
    assertEquals(1, log.of(EventType.RESULT_REJECTED, got.workId()).size(),
        "state " + server.status(got.workId()).orElseThrow().state());
  }
}
