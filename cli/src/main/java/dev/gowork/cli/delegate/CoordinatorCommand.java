package dev.gowork.cli.delegate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gowork coordinator ...}: runs the coordinator service; every argument goes to its main. */
@Command(name = "coordinator",
    description = {"Runs the coordinator service (HTTP API, embedded Kafka unless GOWORK_BOOTSTRAP_SERVERS is set).",
        "Every argument is passed to dev.gowork.coordinator.Main: 'gowork coordinator --help' lists its settings."})
public final class CoordinatorCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "ARG", description = "Passed to the coordinator untouched.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return MainDelegate.COORDINATOR.run(args.toArray(String[]::new));
  }
}
