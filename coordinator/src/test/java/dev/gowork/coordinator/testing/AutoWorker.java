package dev.gowork.coordinator.testing;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.SignedResult;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A worker on raw Kafka clients that completes everything it takes, on its own thread, until
 * closed: ACCEPTs each record and sends a signed COMPLETED result. It keeps going through
 * coordinator crashes and broker restarts (errors are counted, and it polls again).
 */
public final class AutoWorker implements AutoCloseable {
  private final ShareConsumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final String workerId;
  private final String sessionKey;
  private final Clock clock;
  private final WireCodec codec = WireCodec.defaults();
  private final Thread thread;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean running = true;

  public AutoWorker(KafkaClients clients, Topics topics, String queue, String workerId, String sessionKey,
      Clock clock) {
    this.topics = topics;
    this.workerId = workerId;
    this.sessionKey = sessionKey;
    this.clock = clock;
    this.consumer = clients.shareConsumer(topics.shareGroup(queue), Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16));
    this.consumer.subscribe(List.of(topics.work(queue)));
    this.producer = clients.producer();
    this.thread = new Thread(this::loop, "test-auto-worker-" + workerId);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void loop() {
    while (running) {
      try {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          consumer.acknowledge(r, AcknowledgeType.ACCEPT);
          WorkEnvelope w = codec.decodeWork(r.value()).orThrow();
          ResultEnvelope res = new ResultEnvelope(w.workId(), w.attempt(), ResultStatus.COMPLETED,
              codec.mapper().valueToTree("done"), null, workerId, 1);
          producer.send(SignedResult.sign(codec, res, workerId, sessionKey, clock).toRecord(topics.results()));
          done.incrementAndGet();
        }
        producer.flush();
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
    }
  }

  /** Results sent so far. */
  public long done() {
    return done.get();
  }

  public long errors() {
    return errors.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }
}
