package dev.gowork.cli.bench;

import dev.gowork.cli.settings.CliContext;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code gowork bench}: placeholder; the benchmark is owned by another change. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark (not implemented yet).")
public final class BenchCommand implements Callable<Integer> {
  /** Exit code of a command that does not exist yet. */
  static final int NOT_IMPLEMENTED = 3;

  private final CliContext context;

  public BenchCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    context.err().println("bench: not implemented yet");
    return NOT_IMPLEMENTED;
  }
}
