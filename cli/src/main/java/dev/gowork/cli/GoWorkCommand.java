package dev.gowork.cli;

import dev.gowork.cli.bench.BenchCommand;
import dev.gowork.cli.cancel.CancelCommand;
import dev.gowork.cli.dead.DeadCommand;
import dev.gowork.cli.queue.QueueCommand;
import dev.gowork.cli.schedule.ScheduleCommand;
import dev.gowork.cli.delegate.CoordinatorCommand;
import dev.gowork.cli.delegate.WorkerCommand;
import dev.gowork.cli.demo.DemoCommand;
import dev.gowork.cli.events.EventsCommand;
import dev.gowork.cli.kafka.KafkaCommand;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.soak.SoakCommand;
import dev.gowork.cli.status.StatusCommand;
import dev.gowork.cli.submit.SubmitCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the command tree; alone it prints the list of subcommands. */
@Command(name = "gowork", mixinStandardHelpOptions = true, versionProvider = GoWorkCommand.Version.class,
    description = "GoWork for Java: distributed work delivery to authenticated workers, on Apache Kafka.",
    footer = {"", "Settings come from flags, then GOWORK_* environment variables, then defaults.",
        "'gowork demo' runs a coordinator, two workers and 10,000 work items on this machine."},
    subcommands = {CoordinatorCommand.class, WorkerCommand.class, SubmitCommand.class, StatusCommand.class,
        CancelCommand.class, QueueCommand.class, DeadCommand.class, ScheduleCommand.class, EventsCommand.class,
        KafkaCommand.class, DemoCommand.class, BenchCommand.class, SoakCommand.class, CommandLine.HelpCommand.class})
final class GoWorkCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec
  CommandSpec spec;

  GoWorkCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(context.err());
    return CliException.USAGE;
  }

  /** The version from the jar's manifest, when built as a jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {line()};
    }

    /** {@code gowork <version>}, e.g. {@code gowork 0.1.0}. */
    static String line() {
      String v = GoWorkCommand.class.getPackage().getImplementationVersion();
      return "gowork " + (v == null ? "(development build)" : v);
    }
  }
}
