package dev.gowork.coordinator.retry;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WorkEnvelope;
import dev.gowork.coordinator.queue.EnvelopeReader;
import dev.gowork.coordinator.queue.WorkPublisher;
import dev.gowork.coordinator.work.WorkRef;
import java.time.Duration;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes a work item again for its next attempt, or for the first time when it was added with a
 * delay: reads the first publication back from its topic (the queue's, or {@code <p>.scheduled}; the
 * payload is not kept in memory) and sends it to the queue with the attempt, attempt limit and
 * deadline that the work table holds now.
 */
public final class Republisher {
  private final EnvelopeReader reader;
  private final WorkPublisher publisher;
  private final Topics topics;
  private final Duration timeout;

  public Republisher(EnvelopeReader reader, WorkPublisher publisher, Topics topics, Duration timeout) {
    this.reader = reader;
    this.publisher = publisher;
    this.topics = topics;
    this.timeout = timeout;
  }

  /**
   * @throws GoWorkException NOT_FOUND when the first publication is no longer readable, UNAVAILABLE when
   *     Kafka does not answer
   */
  public void republish(WorkRef ref) {
    publish(ref, payload(ref));
  }

  /**
   * The item's first publication, read back from its topic: a requeue checks it before it changes
   * anything, so that a dead letter whose payload Kafka's retention deleted stays a dead letter.
   *
   * @throws GoWorkException NOT_FOUND when it is no longer readable, UNAVAILABLE when it is not located yet
   */
  public WorkEnvelope payload(WorkRef ref) {
    if (!ref.located()) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, "work " + ref.workId() + " is not yet acknowledged by Kafka");
    }
    String topic = ref.parked() ? topics.scheduled() : topics.work(ref.queue());
    return reader.read(topic, ref.partition(), ref.offset(), timeout)
        .orElseThrow(() -> new GoWorkException(ErrorCode.NOT_FOUND, "the record of work " + ref.workId()
            + " is no longer readable from " + topic));
  }

  /** Sends {@code first} (from {@link #payload}) to its queue with what {@code ref} holds now. */
  public void publish(WorkRef ref, WorkEnvelope first) {
    publisher.sendAndWait(next(ref, first), timeout);
  }

  /**
   * {@link #republish} without waiting for Kafka's answer (the first publication is read back first).
   *
   * @return the send; {@link #await} waits for it
   * @throws GoWorkException as {@link #payload} does, TOO_LARGE
   */
  Future<RecordMetadata> send(WorkRef ref) {
    WorkEnvelope next = next(ref, payload(ref));
    return publisher.send(next, publisher.encode(next), null);
  }

  /** @throws GoWorkException UNAVAILABLE when the send failed or got no answer within the timeout */
  void await(Future<RecordMetadata> send, String workId) {
    WorkPublisher.await(send, timeout, "publishing work " + workId);
  }

  private static WorkEnvelope next(WorkRef ref, WorkEnvelope first) {
    return new WorkEnvelope(first.workId(), first.queue(), ref.attempt(), ref.maxAttempts(),
        first.timeoutSeconds(), first.data(), first.createdAt(), ref.deadline());
  }
}
