package dev.gowork.worker.runtime;

import static org.junit.jupiter.api.Assertions.fail;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.signing.ResultHeaders;
import dev.gowork.broker.wire.ResultEnvelope;
import dev.gowork.broker.wire.ResultStatus;
import dev.gowork.broker.wire.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the results topic from the beginning with a plain consumer, as the coordinator would. Results
 * (outcomes) and {@code running} notices are kept apart: {@link #await} and {@link #drain} see results
 * only, {@link #notices} the notices.
 */
final class ResultsReader implements AutoCloseable {
  /** One result record: the decoded envelope, its raw value and its auth headers. */
  record Result(ResultEnvelope envelope, byte[] value, String workerId, String timestamp, String signature) {}

  private final Consumer<String, byte[]> consumer;
  private final WireCodec codec = WireCodec.defaults();
  private final List<Result> all = new ArrayList<>();
  private final List<Result> notices = new ArrayList<>();

  ResultsReader(KafkaClients clients, String topic) {
    consumer = clients.consumer(null, Map.of());
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Polls until {@code done} holds for everything read so far, or fails after {@code timeout}. */
  List<Result> await(String what, Predicate<List<Result>> done, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.test(all)) {
      if (System.nanoTime() > end) {
        fail("timed out waiting for " + what + "; read " + all.size() + " results");
      }
      pollOnce(Duration.ofMillis(100));
    }
    return List.copyOf(all);
  }

  /** Reads until nothing new arrives for {@code quiet}. */
  List<Result> drain(Duration quiet) {
    while (pollOnce(quiet) > 0) {
      // keep reading
    }
    return List.copyOf(all);
  }

  private int pollOnce(Duration wait) {
    int n = 0;
    for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
      Result read = new Result(codec.decodeResult(r.value()).orThrow(), r.value(),
          ResultHeaders.read(r.headers(), ResultHeaders.WORKER_ID), ResultHeaders.read(r.headers(), ResultHeaders.TIMESTAMP),
          ResultHeaders.read(r.headers(), ResultHeaders.SIGNATURE));
      (read.envelope().status() == ResultStatus.RUNNING ? notices : all).add(read);
      n++;
    }
    return n;
  }

  /** The {@code running} notices read so far. */
  List<Result> notices() {
    return List.copyOf(notices);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
