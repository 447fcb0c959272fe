package dev.gowork.coordinator.config;

import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.ErrorLines;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.SharedSecret;
import dev.gowork.broker.topic.ShareGroupSettings;
import dev.gowork.broker.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Every setting of the coordinator service as one validated, immutable object, read from flags,
 * then env vars, then defaults. Secrets come from the environment (a value or a {@code *_FILE})
 * only, and {@link #toString()} masks them.
 *
 * <pre>{@code
 * CoordinatorSettings s = CoordinatorSettings.parse(System.getenv(), "--http-port", "9090");
 * }</pre>
 */
public final class CoordinatorSettings {
  /** Shortest accepted API token. */
  public static final int MIN_API_TOKEN_LENGTH = 16;
  public static final String API_TOKEN = "GOWORK_API_TOKEN";
  public static final String API_TOKEN_FILE = "GOWORK_API_TOKEN_FILE";
  /** Prefix of the Kafka client pass-through: {@code GOWORK_KAFKA_SECURITY_PROTOCOL=SSL} sets {@code security.protocol}. */
  public static final String KAFKA_ENV_PREFIX = "GOWORK_KAFKA_";
  /** Every env var the service reads by exact name (plus any {@value #KAFKA_ENV_PREFIX}{@code <NAME>}). */
  public static final List<String> ENV_VARS = envVars();

  private final SharedSecret secret;
  private final String apiToken;
  private final Optional<String> bootstrapServers;
  private final int embeddedKafkaPort;
  private final Path dataDir;
  private final Topics topics;
  private final String instanceId;
  private final String httpHost;
  private final int httpPort;
  /** -1 when unset. */
  private final int managementPort;
  private final int httpThreads;
  private final Optional<SSLContext> tls;
  private final int maxBodyBytes;
  private final int maxBatchBodyBytes;
  private final Duration sessionTtl;
  private final int workPartitions;
  private final int replicationFactor;
  private final ShareGroupSettings shareGroup;
  private final Map<String, String> kafkaProperties;
  private final String runHandlersAt;
  private final Duration finishedRetention;
  private final int finishedMaxItems;
  private final int maxQueues;
  private final Duration deadRetention;
  private final int deadMaxItems;
  private final Duration commitInterval;
  private final Duration shareGroupCheck;

  private CoordinatorSettings(SettingValues v, Map<String, String> env) {
    secret = Secrets.sharedSecret(env);
    apiToken = Secrets.apiToken(env);
    bootstrapServers = KafkaSettings.bootstrapServers(v);
    embeddedKafkaPort = v.integer(Setting.EMBEDDED_KAFKA_PORT, 0, 65_535);
    dataDir = KafkaSettings.dataDir(v);
    topics = KafkaSettings.topics(v);
    instanceId = v.text(Setting.INSTANCE_ID);
    if (!instanceId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw v.invalid(Setting.INSTANCE_ID, "must be 1-64 characters of A-Z a-z 0-9 _ -");
    }
    httpHost = v.given(Setting.HTTP_HOST) ? host(v) : bootstrapServers.isPresent() ? "0.0.0.0" : "127.0.0.1";
    httpPort = v.integer(Setting.HTTP_PORT, 0, 65_535);
    managementPort = v.given(Setting.MANAGEMENT_PORT) ? v.integer(Setting.MANAGEMENT_PORT, 0, 65_535) : -1;
    if (managementPort > 0 && managementPort == httpPort) {
      throw v.invalid(Setting.MANAGEMENT_PORT, "must differ from " + Setting.HTTP_PORT.env + " (" + httpPort + ")");
    }
    httpThreads = v.integer(Setting.HTTP_THREADS, 1, 256);
    tls = TlsKeys.read(v, env);
    maxBodyBytes = v.integer(Setting.MAX_BODY_BYTES, 1024, 64 << 20);
    maxBatchBodyBytes = v.integer(Setting.MAX_BATCH_BODY_BYTES, maxBodyBytes, 256 << 20);
    sessionTtl = Duration.ofSeconds(v.number(Setting.SESSION_TTL_SECONDS, 60, 604_800));
    workPartitions = v.integer(Setting.WORK_PARTITIONS, 1, 10_000);
    replicationFactor = v.integer(Setting.REPLICATION_FACTOR, 1, 32);
    shareGroup = KafkaSettings.shareGroup(v);
    kafkaProperties = KafkaSettings.clientProperties(v, env);
    runHandlersAt = runHandlersAt(v);
    finishedRetention = Duration.ofSeconds(v.number(Setting.FINISHED_RETENTION_SECONDS, 1, 604_800));
    finishedMaxItems = v.integer(Setting.FINISHED_MAX_ITEMS, 0, 100_000_000);
    maxQueues = v.integer(Setting.MAX_QUEUES, 1, 100_000);
    deadRetention = Duration.ofSeconds(v.number(Setting.DEAD_RETENTION_SECONDS, 1, 31_536_000));
    deadMaxItems = v.integer(Setting.DEAD_MAX_ITEMS, 0, 10_000_000);
    commitInterval = Duration.ofMillis(v.number(Setting.COMMIT_INTERVAL_MS, 0, 10_000));
    shareGroupCheck = Duration.ofSeconds(v.number(Setting.SHARE_GROUP_CHECK_SECONDS, 1, 3_600));
  }

  /**
   * Reads the settings from command-line flags and the environment.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the setting and its bad value, or an unknown flag
   */
  public static CoordinatorSettings parse(Map<String, String> env, String... args) {
    ParseResult parsed;
    try {
      parsed = new CommandLine(commandSpec()).parseArgs(args);
    } catch (CommandLine.UnmatchedArgumentException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, unknown(e, args));
    } catch (CommandLine.ParameterException e) {
      throw new GoWorkException(ErrorCode.INVALID_ARGUMENT, refused(e));
    }
    return resolve(parsed, env);
  }

  /**
   * The unknown flags of a parse of {@code args} with {@link #commandSpec()}, named without their values (a
   * secret stays out of logs).
   */
  public static String unknown(CommandLine.UnmatchedArgumentException e, String... args) {
    return ErrorLines.unknownArguments(List.of(args), e.getUnmatched(),
        e.getCommandLine().getCommandSpec().optionsMap().keySet());
  }

  /**
   * The line for a flag's value that a parse with {@link #commandSpec()} refused (a flag without its value), without
   * the value when it may be another option or a secret ({@link ErrorLines#refusedValue}).
   */
  public static String refused(CommandLine.ParameterException e) {
    ArgSpec arg = e.getArgSpec();
    if (arg == null && e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
      arg = m.getMissing().get(0);
    }
    return ErrorLines.refusedValue(e.getMessage(), arg instanceof OptionSpec o ? o.longestName() : null,
        arg == null ? null : arg.paramLabel(), e.getCommandLine().getCommandSpec().optionsMap().keySet());
  }

  /**
   * The settings from flags already parsed with {@link #commandSpec()}, then the environment, then defaults.
   *
   * @throws GoWorkException INVALID_ARGUMENT naming the first bad setting and its value
   */
  public static CoordinatorSettings resolve(ParseResult parsed, Map<String, String> env) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      if (parsed.hasMatchedOption(s.flag)) {
        flags.put(s, parsed.matchedOptionValue(s.flag, ""));
      }
    }
    return new CoordinatorSettings(new SettingValues(flags, Map.copyOf(env)), env);
  }

  /** The command line: one option per setting, {@code --help} and {@code --version}. */
  public static CommandSpec commandSpec() {
    CommandSpec spec = CommandSpec.create().name("gowork coordinator").mixinStandardHelpOptions(true)
        .version("GoWork coordinator " + Optional.ofNullable(CoordinatorSettings.class.getPackage()
            .getImplementationVersion()).orElse("(development build)"));
    spec.usageMessage()
        .description("Runs the GoWork coordinator: the HTTP API for producers and workers, over Kafka. Each "
            + "setting comes from its flag, else its env var, else its default.")
        .footerHeading("%nFrom the environment only (never flags):%n")
        .footer(
            "  GOWORK_SECRET or GOWORK_SECRET_FILE (a file that holds it)",
            "      the secret shared with the workers; required, at least 32 characters",
            "  GOWORK_API_TOKEN or GOWORK_API_TOKEN_FILE",
            "      what producers send as 'Authorization: Bearer <token>'; required, at",
            "      least 16 visible ASCII characters",
            "  GOWORK_TLS_KEYSTORE_PASSWORD or GOWORK_TLS_KEYSTORE_PASSWORD_FILE",
            "      the password of --tls-keystore; required with it",
            "  GOWORK_KAFKA_<NAME>=<value>",
            "      any Kafka client property: GOWORK_KAFKA_SECURITY_PROTOCOL=SSL sets",
            "      security.protocol; these override --kafka-properties-file");
    for (Setting s : Setting.values()) {
      spec.addOption(OptionSpec.builder(s.flag).paramLabel("<" + s.label + ">").type(String.class)
          .description(s.help()).build());
    }
    return spec;
  }

  private static String runHandlersAt(SettingValues v) {
    String t = v.text(Setting.RUN_HANDLERS_AT);
    if (!t.equals("commit") && !t.equals("apply")) {
      throw v.invalid(Setting.RUN_HANDLERS_AT, "must be commit or apply");
    }
    return t;
  }

  private static String host(SettingValues v) {
    String h = v.text(Setting.HTTP_HOST);
    if (h.length() > 253 || !h.matches("[A-Za-z0-9._:\\-\\[\\]%]+")) {
      throw v.invalid(Setting.HTTP_HOST, "must be a host name or an IP address");
    }
    return h;
  }

  private static List<String> envVars() {
    List<String> names = new ArrayList<>(List.of(SharedSecret.ENV, SharedSecret.ENV_FILE, API_TOKEN, API_TOKEN_FILE,
        TlsKeys.PASSWORD, TlsKeys.PASSWORD_FILE));
    for (Setting s : Setting.values()) {
      names.add(s.env);
    }
    return List.copyOf(names);
  }

  public SharedSecret secret() {
    return secret;
  }

  /** The producers' bearer token; compare it in constant time. */
  public String apiToken() {
    return apiToken;
  }

  /** The Kafka to use; empty means start the embedded broker. */
  public Optional<String> bootstrapServers() {
    return bootstrapServers;
  }

  public int embeddedKafkaPort() {
    return embeddedKafkaPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** This coordinator's instance id among those of its prefix. */
  public String instanceId() {
    return instanceId;
  }

  public Topics topics() {
    return topics;
  }

  public String httpHost() {
    return httpHost;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The port that serves only the probes and metrics (0 = any free port), if one is set. */
  public OptionalInt managementPort() {
    return managementPort < 0 ? OptionalInt.empty() : OptionalInt.of(managementPort);
  }

  public int httpThreads() {
    return httpThreads;
  }

  /** The TLS context of the API and management listeners ({@code GOWORK_TLS_KEYSTORE}); empty: plain HTTP. */
  public Optional<SSLContext> tls() {
    return tls;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public int maxBatchBodyBytes() {
    return maxBatchBodyBytes;
  }

  public Duration sessionTtl() {
    return sessionTtl;
  }

  public int workPartitions() {
    return workPartitions;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  public ShareGroupSettings shareGroup() {
    return shareGroup;
  }

  /** How long finished work stays queryable. */
  public Duration finishedRetention() {
    return finishedRetention;
  }

  /** How many of the last finished items stay queryable at most. */
  public int finishedMaxItems() {
    return finishedMaxItems;
  }

  /** At most this many queues (work topics of the prefix). */
  public int maxQueues() {
    return maxQueues;
  }

  /** {@code GOWORK_DEAD_RETENTION_SECONDS}. */
  public Duration deadRetention() {
    return deadRetention;
  }

  /** {@code GOWORK_DEAD_MAX_ITEMS}. */
  public int deadMaxItems() {
    return deadMaxItems;
  }

  /** How often at most the coordinator starts a transaction (zero: as soon as the previous one ended). */
  public Duration commitInterval() {
    return commitInterval;
  }

  /** {@code GOWORK_SHARE_GROUP_CHECK_SECONDS}: how often the queues' share groups are counted. */
  public Duration shareGroupCheck() {
    return shareGroupCheck;
  }

  /** When in-process handlers see this coordinator's events: {@code commit} or {@code apply}. */
  public String runHandlersAt() {
    return runHandlersAt;
  }

  /** Kafka client properties from the properties file, overridden by {@code GOWORK_KAFKA_*}; unmodifiable. */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  /** All settings; secrets masked, Kafka properties by name only (their values may be passwords). */
  @Override
  public String toString() {
    return "CoordinatorSettings[secret=****, apiToken=****, bootstrapServers="
        + bootstrapServers.orElse("(embedded)") + ", embeddedKafkaPort=" + embeddedKafkaPort + ", dataDir=" + dataDir
        + ", topicPrefix=" + topics.prefix() + ", http=" + httpHost + ":" + httpPort + (managementPort < 0 ? "" : ", managementPort=" + managementPort)
        + (tls.isPresent() ? ", tls=on" : "") + ", httpThreads=" + httpThreads
        + ", maxBodyBytes=" + maxBodyBytes + ", maxBatchBodyBytes=" + maxBatchBodyBytes + ", sessionTtl=" + sessionTtl
        + ", workPartitions=" + workPartitions + ", replicationFactor=" + replicationFactor + ", shareLock="
        + shareGroup.lockDuration() + ", shareDeliveryLimit=" + shareGroup.deliveryCountLimit() + ", shareHeartbeat="
        + shareGroup.heartbeatInterval().map(Duration::toString).orElse("(broker)") + ", finishedRetention="
        + finishedRetention + ", finishedMaxItems=" + finishedMaxItems + ", maxQueues=" + maxQueues + ", deadRetention=" + deadRetention
        + ", deadMaxItems=" + deadMaxItems + ", runHandlersAt=" + runHandlersAt
        + ", commitInterval=" + commitInterval + ", shareGroupCheck=" + shareGroupCheck + ", kafkaProperties=" + kafkaProperties.keySet() + "]";
  }
}
