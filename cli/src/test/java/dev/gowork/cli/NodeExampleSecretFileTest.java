package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/node-http-worker takes its secret as every GoWork process does: from GOWORK_SECRET or from
 * the file GOWORK_SECRET_FILE names (one trailing newline dropped), so the cli guide's
 * {@code GOWORK_SECRET_FILE=secret.txt} setup runs it too. Against a real coordinator (child JVM) on the
 * test broker; skipped where there is no node.
 */
@ExtendWith(KafkaExtension.class)
class NodeExampleSecretFileTest {
  private static final Path WORKER = Path.of("..", "examples", "node-http-worker", "worker.mjs");

  @Test
  @Timeout(180)
  void theNodeExampleReadsItsSecretFromGoworkSecretFile(TestKafka kafka, @TempDir Path dir) throws Exception {
    assumeTrue(nodeAnswers(), "no node on the PATH");
    Path secret = Files.writeString(dir.resolve("secret.txt"), ServiceProcesses.SECRET + "\n");
    try (ServiceProcesses services = new ServiceProcesses(dir)) {
      services.startCoordinator(kafka.bootstrapServers(), kafka.topicPrefix());
      Path log = dir.resolve("node.log");
      Process worker = node(Map.of("GOWORK_COORDINATOR_URL", services.url(), "GOWORK_SECRET_FILE", secret.toString(),
          "GOWORK_QUEUE", "node-file"), log);
      try {
        Console submit = new Console(Map.of("GOWORK_COORDINATOR_URL", services.url(),
            "GOWORK_API_TOKEN", ServiceProcesses.TOKEN));
        assertEquals(0, submit.run("submit", "--queue", "node-file", "--wait", "90", "--json", "{\"text\":\"two words\"}"),
            submit.err() + Files.readString(log));
        JsonNode done = new ObjectMapper().readTree(submit.out());
        assertEquals("{\"words\":2,\"by\":\"node\"}", done.get("result").toString(), submit.out());
      } finally {
        worker.destroy();
        if (!worker.waitFor(15, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
          throw new AssertionError("the worker did not stop on SIGTERM\n" + Files.readString(log));
        }
      }
      assertEquals(0, worker.exitValue(), Files.readString(log));
    }
  }

  @Test
  void bothSourcesOfTheSecretAreRefusedAsTheOtherCommandsRefuseThem(@TempDir Path dir) throws Exception {
    assumeTrue(nodeAnswers(), "no node on the PATH");
    Path secret = Files.writeString(dir.resolve("secret.txt"), ServiceProcesses.SECRET);
    Path log = dir.resolve("node.log");
    Process both = node(Map.of("GOWORK_SECRET", ServiceProcesses.SECRET, "GOWORK_SECRET_FILE", secret.toString(),
        "GOWORK_COORDINATOR_URL", "http://127.0.0.1:1"), log);
    try {
      assertTrue(both.waitFor(30, TimeUnit.SECONDS), "it should stop at once:\n" + Files.readString(log));
    } finally {
      both.destroyForcibly();   // one that ignored GOWORK_SECRET_FILE would ask 127.0.0.1:1 forever
    }
    assertEquals(2, both.exitValue(), Files.readString(log));
    assertEquals("worker.mjs: set GOWORK_SECRET or GOWORK_SECRET_FILE, not both\n", Files.readString(log));
  }

  private static Process node(Map<String, String> env, Path log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("node", WORKER.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(new File("/dev/null"));
    pb.environment().keySet().removeIf(k -> k.startsWith("GOWORK_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static boolean nodeAnswers() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
