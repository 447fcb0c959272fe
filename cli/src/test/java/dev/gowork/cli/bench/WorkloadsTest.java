package dev.gowork.cli.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** How a workload ends when its loop loses items: the run stops with what the loop met, not only a count. */
class WorkloadsTest {

  /** Completes all but the last item it is sent and says why, as the raw loop does after a failed poll. */
  private static final class LosesTheLastItem implements Loop {
    private Consumer<String> completed;

    @Override
    public String name() {
      return "raw";
    }

    @Override
    public CompletableFuture<Void> send(int count, Consumer<String> stamp) {
      for (int i = 0; i < count; i++) {
        String id = "i-" + i;
        stamp.accept(id);
        if (i < count - 1) {
          completed.accept(id);
        }
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Optional<String> trouble() {
      return Optional.of("1 failed polls, the last in RawWorker-0: org.apache.kafka.common.KafkaException: boom");
    }

    @Override
    public void close() {
    }
  }

  @Test
  void aTimeoutNamesTheTroubleTheLoopMetAndTheProgressShowsIt() {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Workloads workloads = new Workloads(new PrintStream(progress, true, StandardCharsets.UTF_8), 10, 1,
        Duration.ofMillis(1_500), BenchBroker.notStarted(Optional.empty()));
    Tracker tracker = new Tracker();
    LosesTheLastItem loop = new LosesTheLastItem();
    loop.completed = tracker::complete;

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> workloads.burst(loop, tracker, 10));

    assertTrue(e.getMessage().startsWith("raw burst: only 9 of 10 items completed within 1 s"), e.getMessage());
    assertTrue(e.getMessage().contains("(the loop met trouble: 1 failed polls, the last in RawWorker-0: "),
        e.getMessage());
    String shown = progress.toString(StandardCharsets.UTF_8);
    assertTrue(shown.contains("raw burst: 1 failed polls, the last in RawWorker-0"), shown);
  }
}
