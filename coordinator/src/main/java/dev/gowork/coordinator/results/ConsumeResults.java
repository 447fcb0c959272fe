package dev.gowork.coordinator.results;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background duty on its own thread ({@code gowork-consume-results}): reads {@code <p>.results} in the
 * coordinator group and hands every record to the {@link ResultPipeline}; commits after each batch.
 *
 * <p>Failure modes: the pipeline never throws for bad input; anything else thrown for a record is
 * logged and the loop goes on. A failing poll (broker away) is logged and retried after a pause.
 * {@link #close()} wakes the consumer, waits for the thread and closes the consumer on it.
 */
public final class ConsumeResults implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeResults.class);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final ResultPipeline pipeline;
  private final Thread thread;
  private volatile boolean running = true;

  public ConsumeResults(Consumer<String, byte[]> consumer, String topic, ResultPipeline pipeline) {
    this.consumer = consumer;
    this.topic = topic;
    this.pipeline = pipeline;
    this.thread = new Thread(this::loop, "gowork-consume-results");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    try {
      consumer.subscribe(List.of(topic));
      while (running) {
        ConsumerRecords<String, byte[]> batch;
        try {
          batch = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          LOG.warn("polling {} failed; retrying in 1 s", topic, e);
          pause();
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : batch) {
          try {
            pipeline.accept(r);
          } catch (RuntimeException e) {
            LOG.error("result record {}-{}@{} could not be processed", r.topic(), r.partition(), r.offset(), e);
          }
        }
        if (!batch.isEmpty()) {
          consumer.commitAsync();
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      try {
        consumer.commitSync(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.debug("final commit of {} failed: {}", topic, e.toString());
      }
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ofSeconds(5));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
