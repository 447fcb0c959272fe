package dev.gowork.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.cli.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A short {@code gowork bench} on the test broker proves the command works end to end; no timing is asserted. */
@ExtendWith(KafkaExtension.class)
class BenchCommandTest {

  @Test
  void smallRunPrintsOneResultLinePerLoopAndWorkloadAndTheRatios(TestKafka kafka) {
    Console c = new Console(Map.of());
    int code = c.run("bench", "-n", "300", "--warmup", "50", "--warmup-seconds", "0", "--paced-items", "100", "--rate", "200", "--raw",
        "--workers", "1", "-c", "2", "--prefetch", "16", "--bootstrap-servers", kafka.bootstrapServers(),
        "--timeout", "60");
    assertEquals(0, code, c.err());
    List<String> results = c.out().lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertEquals(4, results.size(), c.out());
    assertTrue(results.get(0).startsWith("RESULT gowork workload=burst n=300 throughput_per_s="), results.get(0));
    assertTrue(results.get(0).contains(" p50_ms=") && results.get(0).contains(" p99_ms="), results.get(0));
    assertTrue(results.get(1).startsWith("RESULT gowork workload=paced n=100 "), results.get(1));
    assertTrue(results.get(2).startsWith("RESULT raw workload=burst n=300 "), results.get(2));
    assertTrue(results.get(3).startsWith("RESULT raw workload=paced n=100 "), results.get(3));
    assertEquals(2, c.out().lines().filter(l -> l.startsWith("RATIO gowork/raw workload=")).count(), c.out());
    assertTrue(c.err().contains("gowork burst: ") || c.err().contains("RESULT gowork"), "progress on stderr");
  }

  @Test
  void inFlightModeReportsTheHeapWithItemsQueuedOnItsOwnBrokerProcess(@TempDir Path dir) {
    Console c = new Console(Map.of());
    int code = c.run("bench", "--in-flight", "2000", "--data-dir", dir.toString());
    assertEquals(0, code, c.err());
    assertTrue(c.out().contains("RESULT gowork workload=in_flight n=2000 queued=2000 heap_used_after_gc_mib="),
        c.out());
    assertTrue(c.err().contains("bench: Kafka broker process at 127.0.0.1:"), c.err());
    assertTrue(Files.exists(dir.resolve("kafka-process.log")), "the broker's log is kept");
    assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
        "the broker process is stopped when the bench ends");
  }

  @Test
  void badWorkloadIsAUsageError() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("bench", "--workload", "sideways"));
    assertTrue(c.err().contains("--workload"), c.err());
  }

  @Test
  void badBrokerModeIsAUsageError() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("bench", "--broker", "elsewhere"));
    assertTrue(c.err().contains("--broker must be process or in-process; was 'elsewhere'"), c.err());
  }
}
