package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code gowork demo}, end to end with a small count: a coordinator with
 * its embedded Kafka and two workers as child JVMs, 200 items, exit code 0, nothing left running.
 */
class DemoEndToEndTest {
  @Test
  @Timeout(300)
  void theDemoRunsEveryItemAndStopsWhatItStarted(@TempDir Path dir) throws Exception {
    Console c = new Console(Console.envForChildJvms());
    int code = c.run("demo", "--items", "200", "--data-dir", dir.toString(), "--concurrency", "2",
        "--ready-timeout", "120", "--timeout", "150");
    String logs = code == 0 ? "" : Files.readString(dir.resolve("logs/coordinator.log"));
    assertEquals(0, code, c.out() + c.err() + logs);
    assertTrue(c.out().contains("demo: 200 items, 200 completed in "), c.out());
    assertTrue(c.out().contains("latency add -> work_complete: p50 "), c.out());
    assertTrue(c.out().contains("failed 0, timed out 0, not finished 0"), c.out());
    assertTrue(Files.exists(dir.resolve("logs/worker-2.log")));
    assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "children left running");
  }
}
