package dev.gowork.cli.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gowork kafka} as a user runs it: a process of its own, used by Kafka clients, stopped by SIGTERM. */
class KafkaCommandTest {
  /** The brokers this test started, each a process of its own: ended after the test however it went. */
  private final List<Process> started = new ArrayList<>();

  /**
   * Kills a broker that a failed assertion left running (its stop is asserted in the test itself): it
   * would outlive the test JVM, holding its port and its deleted data folder.
   */
  @AfterEach
  void killBrokersLeftRunning() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Timeout(240)
  void aBrokerOfItsOwnServesClientsStopsOnSigtermAndKeepsItsData(@TempDir Path dir) throws Exception {
    int port = freePort();
    Map<String, String> env = Map.of("GOWORK_DATA_DIR", dir.resolve("kafka").toString(),
        "GOWORK_EMBEDDED_KAFKA_PORT", Integer.toString(port));
    Process first = start(env, dir.resolve("first.log"));
    String bootstrap = awaitAddress(first, dir.resolve("first.log"));
    assertEquals("127.0.0.1:" + port, bootstrap);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("kept", "k", "hello")).get(60, TimeUnit.SECONDS);
    }
    assertEquals("hello", readOne(bootstrap));

    // A second broker on the folder is refused, in one line, before it touches it.
    Console second = new Console(Map.of("GOWORK_DATA_DIR", dir.resolve("kafka").toString()));
    assertEquals(1, second.run("kafka", "--port", "0"), second.err());
    assertTrue(second.err().startsWith("gowork: could not start Kafka on port 0 with data in ")
        && second.err().contains("is in use by another embedded Kafka"), second.err());
    assertEquals(1, second.err().lines().count(), second.err());

    assertEquals(0, stop(first), Files.readString(dir.resolve("first.log")));
    assertTrue(Files.readString(dir.resolve("first.log")).contains("gowork kafka: stopped"),
        Files.readString(dir.resolve("first.log")));

    // Started again with the same settings, it has the same address and what was written before.
    Process again = start(env, dir.resolve("again.log"));
    try {
      assertEquals(bootstrap, awaitAddress(again, dir.resolve("again.log")));
      assertEquals("hello", readOne(bootstrap));
    } finally {
      assertEquals(0, stop(again), Files.readString(dir.resolve("again.log")));
    }
  }

  @Test
  void aTakenPortIsOneLineAndExit1(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Console c = new Console(Map.of("GOWORK_DATA_DIR", dir.toString()));
      assertEquals(1, c.run("kafka", "--port", Integer.toString(taken.getLocalPort())), c.err());
      assertTrue(c.err().startsWith("gowork: port " + taken.getLocalPort() + " on 127.0.0.1 is taken"), c.err());
      assertEquals(1, c.err().lines().count(), c.err());
    }
  }

  @Test
  void aBadPortNamesTheSettingAndExits2() {
    Console c = new Console(Map.of("GOWORK_EMBEDDED_KAFKA_PORT", "nine"));
    assertEquals(2, c.run("kafka"), c.err());
    assertTrue(c.err().contains("GOWORK_EMBEDDED_KAFKA_PORT must be an integer"), c.err());
  }

  private Process start(Map<String, String> env, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx512m"));
    command.addAll(Console.CHILD_JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.gowork.cli.Main", "kafka"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile()).redirectInput(new File("/dev/null"));
    pb.environment().keySet().removeIf(k -> k.startsWith("GOWORK_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /**
   * The address from the line {@code GOWORK_BOOTSTRAP_SERVERS=<address>} on stdout, printed once it is ready
   * (the test class path's logging may write to stdout too).
   */
  private static String awaitAddress(Process p, Path log) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("GOWORK_BOOTSTRAP_SERVERS=")) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
        drain.setDaemon(true);
        drain.start();
        return line.substring("GOWORK_BOOTSTRAP_SERVERS=".length());
      }
    }
    throw new AssertionError("exited with no address:\n" + Files.readString(log));
  }

  /** SIGTERM, as a supervisor or Ctrl-C stops it; the exit code. */
  private static int stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("still running 60 s after SIGTERM");
    }
    return p.exitValue();
  }

  private static String readOne(String bootstrap) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "reader-" + System.nanoTime(), "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(Set.of("kept"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          return r.value();
        }
      }
      throw new AssertionError("no record read from " + bootstrap);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
