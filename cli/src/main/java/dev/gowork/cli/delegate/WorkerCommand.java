package dev.gowork.cli.delegate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gowork worker ...}: runs one worker replica; every argument goes to its main. */
@Command(name = "worker",
    description = {"Runs one worker replica (registers with GOWORK_COORDINATOR_URL, runs GOWORK_HANDLER).",
        "Every argument is passed to dev.gowork.worker.Main: 'gowork worker --help' lists its settings."})
public final class WorkerCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "ARG", description = "Passed to the worker untouched.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return MainDelegate.WORKER.run(args.toArray(String[]::new));
  }
}
