package dev.gowork.cli.acls;

import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.broker.topic.Topics;
import dev.gowork.cli.settings.CliContext;
import dev.gowork.cli.settings.CliException;
import dev.gowork.cli.settings.Settings;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gowork kafka acls}: the least-privilege Kafka ACLs of a deployment, printed as
 * {@code kafka-acls.sh} lines, or created through the Admin API with {@code --apply}.
 */
@Command(name = "acls", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prints the least-privilege Kafka ACLs of a GoWork deployment as kafka-acls.sh lines:",
        "the coordinators' principal, the Kafka workers' principal and, if given, a principal that",
        "only reads <prefix>.events. With --apply it creates those the cluster lacks through the Admin",
        "API instead (as the principal of GOWORK_KAFKA_* client properties: an admin of the cluster),",
        "and says how many it created and how many were already present."},
    footer = {"", "Why each ACL, and what is left out: docs/deploy.md, \"Kafka ACLs\".",
        "Example: gowork kafka acls --coordinator-principal User:coord --worker-principal User:worker"})
public final class AclsCommand implements Callable<Integer> {
  private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*:\\S.*");

  @Option(names = "--prefix", paramLabel = "PREFIX",
      description = "Topic prefix (env GOWORK_TOPIC_PREFIX; default gowork).")
  String prefix;

  @Option(names = "--coordinator-principal", required = true, paramLabel = "TYPE:NAME",
      description = "The coordinators' Kafka principal, e.g. User:coord.")
  String coordinator;

  @Option(names = "--worker-principal", required = true, paramLabel = "TYPE:NAME",
      description = "The Kafka workers' principal, e.g. User:worker (not the coordinators').")
  String worker;

  @Option(names = "--queue", paramLabel = "NAME",
      description = {"Only this queue's work for the worker principal (repeatable): literal ACLs on its work topic",
          "and share group instead of prefixed ones on every queue's."})
  List<String> queues;

  @Option(names = "--analytics-principal", paramLabel = "TYPE:NAME",
      description = "A principal that may only read <prefix>.events.")
  String analytics;

  @Option(names = "--apply", description = "Create the missing ACLs through the Admin API instead of printing them.")
  boolean apply;

  @Option(names = "--bootstrap-servers", paramLabel = "HOSTS",
      description = "Kafka, for --apply and the printed lines (env GOWORK_BOOTSTRAP_SERVERS).")
  String bootstrapServers;

  private final CliContext context;

  public AclsCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Settings s = context.settings();
    Topics topics = s.topics("--prefix", prefix, "GOWORK_TOPIC_PREFIX");
    String coord = principal("--coordinator-principal", coordinator);
    String work = principal("--worker-principal", worker);
    if (coord.equals(work)) {
      throw CliException.usage("--worker-principal must differ from --coordinator-principal: workers with the "
          + "coordinators' rights could write work and control notices");
    }
    Optional<String> reader = Optional.ofNullable(analytics).map(a -> principal("--analytics-principal", a));
    List<Grant> grants = DeploymentAcls.of(topics, coord, work, workerQueues(s), reader);
    String bootstrap = s.string("--bootstrap-servers", bootstrapServers, "GOWORK_BOOTSTRAP_SERVERS", null);
    if (!apply) {
      context.out().println("# Least-privilege ACLs for GoWork prefix '" + topics.prefix() + "'; run as a Kafka admin"
          + (bootstrap == null ? " with BOOTSTRAP and" : " with") + " ADMIN_CONFIG (a client properties file) set.");
      AclLines.of(grants, bootstrap).forEach(context.out()::println);
      return 0;
    }
    if (bootstrap == null) {
      throw CliException.usage("--apply needs Kafka: set --bootstrap-servers or GOWORK_BOOTSTRAP_SERVERS");
    }
    ApplyAcls.Outcome outcome = ApplyAcls.run(new KafkaClients(bootstrap, kafkaProperties()), grants);
    context.out().println(outcome.createdCount() + " ACLs created, " + outcome.present() + " already present on "
        + bootstrap + (outcome.created().isEmpty() ? "" : "; created:"));
    outcome.created().forEach(g -> context.out().println("  " + AclLines.describe(g)));
    return 0;
  }

  private Map<String, String> kafkaProperties() {
    try {
      return KafkaClients.fromFileAndEnv(context.env());
    } catch (UncheckedIOException | InvalidPathException e) {
      throw CliException.usage(KafkaClients.PROPERTIES_FILE_ENV + " must name a readable Java properties file; was "
          + ErrorLines.quoted(KafkaClients.PROPERTIES_FILE_ENV, context.env().get(KafkaClients.PROPERTIES_FILE_ENV)));
    }
  }

  /** The {@code --queue} names, each checked as the coordinator checks queue names; empty for every queue. */
  private List<String> workerQueues(Settings s) {
    return queues == null ? List.of() : queues.stream().map(q -> s.queue("--queue", q, null, null)).distinct().toList();
  }

  /** A Kafka principal {@code TYPE:NAME}; a usage error naming the option otherwise. */
  private static String principal(String option, String value) {
    String v = value.strip();
    if (!PRINCIPAL.matcher(v).matches()) {
      throw CliException.usage(option + " must be a Kafka principal TYPE:NAME such as User:alice; was "
          + ErrorLines.quoted(option, value));
    }
    return v;
  }
}
