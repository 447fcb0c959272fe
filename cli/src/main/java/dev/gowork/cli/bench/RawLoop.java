package dev.gowork.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The same trip on plain kafka-clients, no framework: produce work (about the same size of data)
 * → share consumers (explicit acknowledgement) → each produces a result, flushes, then ACCEPTs its
 * batch → one consumer reads the results. No envelope, no signature, no state, no events: what is
 * left is the cost of Kafka itself, against the same broker in the same run.
 */
final class RawLoop implements Loop {
  private static final int RESULT_PARTITIONS = 6;
  private static final Duration POLL = Duration.ofMillis(100);

  private final BenchPlan plan;
  private final String workTopic;
  private final String resultsTopic;
  private final String group;
  private final KafkaProducer<String, byte[]> producer;
  private final byte[] work;
  private final byte[] result;
  private final AtomicLong nextId = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Runnable> wakers = new ArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile String lastFailure;
  private volatile boolean running = true;

  RawLoop(BenchPlan plan, String bootstrapServers, Consumer<String> completed) {
    this.plan = plan;
    String prefix = plan.topicPrefix() + ".raw";
    this.workTopic = prefix + ".work";
    this.resultsTopic = prefix + ".results";
    this.group = prefix + ".workers";
    this.work = Payload.bytes(plan.dataBytes());
    this.result = Payload.bytes(plan.dataBytes() + 50);
    prepare(bootstrapServers);
    producer = new KafkaProducer<>(producerConfig(bootstrapServers), new StringSerializer(), new ByteArraySerializer());
    for (int i = 0; i < plan.rawConsumers(); i++) {
      KafkaShareConsumer<String, byte[]> c = new KafkaShareConsumer<>(shareConfig(bootstrapServers),
          new StringDeserializer(), new ByteArrayDeserializer());
      KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerConfig(bootstrapServers), new StringSerializer(),
          new ByteArraySerializer());
      wakers.add(c::wakeup);
      start("RawWorker-" + i, () -> work(c, p));
    }
    KafkaConsumer<String, byte[]> results = new KafkaConsumer<>(resultsConfig(bootstrapServers),
        new StringDeserializer(), new ByteArrayDeserializer());
    wakers.add(results::wakeup);
    start("RawResults", () -> readResults(results, completed));
  }

  @Override
  public String name() {
    return "raw";
  }

  @Override
  public CompletableFuture<Void> send(int count, Consumer<String> stamp) {
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicInteger left = new AtomicInteger(count);
    for (int i = 0; i < count; i++) {
      String id = "r-" + nextId.incrementAndGet();
      stamp.accept(id);
      producer.send(new ProducerRecord<>(workTopic, id, work), (meta, error) -> {
        if (error != null) {
          all.completeExceptionally(new IllegalStateException("producing work failed: " + error, error));
        } else if (left.decrementAndGet() == 0) {
          all.complete(null);
        }
      });
    }
    return all;
  }

  private void work(KafkaShareConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> results) {
    try (consumer; results) {
      consumer.subscribe(List.of(workTopic));
      while (running) {
        try {
          workOnce(consumer, results);
        } catch (KafkaException | IllegalStateException e) {
          // A plain loop would die here and leave its records to nobody: count it, say it, go on,
          // as GoWork's own worker does (a lane whose poll fails pauses, then polls again).
          failed(Thread.currentThread().getName(), e);
          pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  private void workOnce(KafkaShareConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> results) {
    ConsumerRecords<String, byte[]> batch = consumer.poll(POLL);
    if (batch.isEmpty()) {
      return;
    }
    List<ConsumerRecord<String, byte[]>> held = new ArrayList<>(batch.count());
    batch.forEach(held::add);
    int accepted = 0;
    try {
      for (ConsumerRecord<String, byte[]> r : held) {
        results.send(new ProducerRecord<>(resultsTopic, r.key(), result));
      }
      results.flush();
      for (ConsumerRecord<String, byte[]> r : held) {
        consumer.acknowledge(r, AcknowledgeType.ACCEPT);
        accepted++;
      }
    } catch (KafkaException | IllegalStateException e) {
      // Explicit mode refuses the next poll while any record of this one is unanswered: give the
      // rest back to the group, which delivers them again.
      for (ConsumerRecord<String, byte[]> r : held.subList(accepted, held.size())) {
        try {
          consumer.acknowledge(r, AcknowledgeType.RELEASE);
        } catch (KafkaException | IllegalStateException ignored) {
          // the poll that follows says what is wrong
        }
      }
      throw e;
    }
    if (plan.rawCommitEachBatch()) {
      consumer.commitAsync();
    }
  }

  private void readResults(KafkaConsumer<String, byte[]> consumer, Consumer<String> completed) {
    try (consumer) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < RESULT_PARTITIONS; p++) {
        parts.add(new TopicPartition(resultsTopic, p));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            completed.accept(r.key());
          }
        } catch (KafkaException | IllegalStateException e) {
          failed("RawResults", e);
          pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  private void failed(String where, RuntimeException e) {
    if (e instanceof WakeupException w) {
      throw w;
    }
    failures.incrementAndGet();
    lastFailure = where + ": " + e;
  }

  private void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public Optional<String> trouble() {
    int n = failures.get();
    return n == 0 ? Optional.empty() : Optional.of(n + " failed polls, the last in " + lastFailure);
  }

  private void prepare(String bootstrapServers) {
    Map<String, Object> config = new HashMap<>(plan.kafkaProperties());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(config)) {
      admin.createTopics(List.of(new NewTopic(workTopic, plan.partitions(), (short) 1),
          new NewTopic(resultsTopic, RESULT_PARTITIONS, (short) 1))).all().get();
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
          set("share.auto.offset.reset", "earliest"),
          set("share.heartbeat.interval.ms", Long.toString(plan.heartbeat().toMillis()))))).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("preparing the raw loop's topics failed: " + e.getCause(), e.getCause());
    }
  }

  private static AlterConfigOp set(String key, String value) {
    return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
  }

  private Map<String, Object> producerConfig(String bootstrapServers) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, plan.lingerMillis());
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 131_072);
    c.putAll(plan.kafkaProperties());
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return c;
  }

  private Map<String, Object> shareConfig(String bootstrapServers) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    c.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, plan.rawAcquireMode());
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, plan.rawMaxPollRecords());
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, plan.fetchMaxWaitMillis());
    c.putAll(plan.kafkaProperties());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return c;
  }

  private Map<String, Object> resultsConfig(String bootstrapServers) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, plan.fetchMaxWaitMillis());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putAll(plan.kafkaProperties());
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return c;
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler((thread, e) -> {
      failures.incrementAndGet();
      lastFailure = thread.getName() + " (stopped): " + e;
    });
    threads.add(t);
    t.start();
  }

  @Override
  public void close() {
    running = false;
    wakers.forEach(Runnable::run);
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(5));
  }

}
