package dev.gowork.coordinator.queue;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.topic.Topics;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.broker.wire.WorkEnvelope;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Publishes work envelopes to {@code <p>.work.<queue>}: key = work id, value = {@link WireCodec#encode(WorkEnvelope)}. */
public final class WorkPublisher {
  private final Producer<String, byte[]> producer;
  private final WireCodec codec;
  private final Topics topics;

  public WorkPublisher(Producer<String, byte[]> producer, WireCodec codec, Topics topics) {
    this.producer = producer;
    this.codec = codec;
    this.topics = topics;
  }

  /**
   * Encodes an envelope, checking its size.
   *
   * @throws GoWorkException TOO_LARGE over the codec's record limit
   */
  public byte[] encode(WorkEnvelope w) {
    byte[] value = codec.encode(w);
    if (value.length > codec.maxRecordBytes()) {
      throw new GoWorkException(ErrorCode.TOO_LARGE, "the work encodes to " + value.length
          + " bytes with its envelope's fields, over Kafka's record limit of " + codec.maxRecordBytes()
          + " bytes: make its data smaller by " + (value.length - codec.maxRecordBytes()) + " bytes or more");
    }
    return value;
  }

  /** Sends without waiting; {@code callback} runs on the producer's I/O thread. */
  public Future<RecordMetadata> send(WorkEnvelope w, byte[] value, Callback callback) {
    return producer.send(new ProducerRecord<>(topics.work(w.queue()), w.workId(), value), callback);
  }

  /** Sends work added with a delay to {@code <p>.scheduled}, where it waits (read by no worker) until due. */
  public Future<RecordMetadata> park(WorkEnvelope w, byte[] value, Callback callback) {
    return producer.send(new ProducerRecord<>(topics.scheduled(), w.workId(), value), callback);
  }

  /**
   * Sends and waits for the broker's acknowledgement.
   *
   * @throws GoWorkException UNAVAILABLE when it fails or takes longer than {@code timeout}
   */
  public RecordMetadata sendAndWait(WorkEnvelope w, Duration timeout) {
    return await(send(w, encode(w), null), timeout, "publishing work " + w.workId());
  }

  /**
   * Waits for a send.
   *
   * @throws GoWorkException UNAVAILABLE when it failed or took longer than {@code timeout}
   */
  public static RecordMetadata await(Future<RecordMetadata> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GoWorkException(ErrorCode.UNAVAILABLE, what + " was interrupted", e);
    } catch (ExecutionException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new GoWorkException(ErrorCode.UNAVAILABLE, what + " got no answer from Kafka within " + timeout, e);
    }
  }
}
