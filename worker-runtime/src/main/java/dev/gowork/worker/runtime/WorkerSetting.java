package dev.gowork.worker.runtime;

/**
 * Every setting of a worker replica: its environment variable (the contract), its command-line flag
 * and its default, as {@code --help} shows them. Flags win over the environment, which wins over
 * defaults. The secret has no flag: it comes from the environment or a file only.
 */
public enum WorkerSetting {
  SECRET("GOWORK_SECRET", null, null, null,
      "The secret shared with the coordinator; required, " + dev.gowork.broker.signing.SharedSecret.MIN_LENGTH + "-"
          + dev.gowork.broker.signing.SharedSecret.MAX_LENGTH + " characters."),
  SECRET_FILE("GOWORK_SECRET_FILE", "--secret-file", "FILE", null,
      "A file that holds the shared secret, instead of GOWORK_SECRET."),
  COORDINATOR_URL("GOWORK_COORDINATOR_URL", "--coordinator-url", "URL", "http://127.0.0.1:8080",
      "The coordinator to register with, an http:// or https:// URL."),
  COORDINATOR_CA_FILE("GOWORK_COORDINATOR_CA_FILE", "--coordinator-ca-file", "FILE", null,
      "A PEM file of the certificates to trust for an https:// coordinator (a private CA, or the coordinator's own "
          + "self-signed certificate); unset: the JVM's trust store."),
  QUEUE("GOWORK_QUEUE", "--queue", "QUEUE", "default",
      "The queue this worker serves: 1-100 letters, digits, _ or -."),
  HANDLER("GOWORK_HANDLER", "--handler", "HANDLER", null,
      "Required: a built-in handler (echo, sleep, fail, noop) or a WorkHandler class name."),
  CONCURRENCY("GOWORK_CONCURRENCY", "--concurrency", "N", "the number of cores",
      "Work items run at once, each by one share-group member (1-" + WorkerSettings.MAX_CONCURRENCY + "); the slots of "
          + "all replicas of a queue count against the brokers' group.share.max.size (200 by default)."),
  BATCH_SIZE("GOWORK_BATCH_SIZE", "--batch-size", "N", "1",
      "Records each slot takes per share fetch and runs back to back on one thread (1-" + WorkerSettings.MAX_BATCH_SIZE
          + "): 32-128 for short handlers, 1 for long ones."),
  BOOTSTRAP_SERVERS("GOWORK_BOOTSTRAP_SERVERS", "--bootstrap-servers", "SERVERS", "the coordinator's",
      "Kafka to use instead of the one the coordinator names, as HOST:PORT[,HOST:PORT...]."),
  TOPIC_PREFIX("GOWORK_TOPIC_PREFIX", "--topic-prefix", "PREFIX", "the coordinator's",
      "Topic prefix to use instead of the one the coordinator names."),
  SHUTDOWN_GRACE_SECONDS("GOWORK_SHUTDOWN_GRACE_SECONDS", "--shutdown-grace-seconds", "SECONDS", "30",
      "On shutdown, how long running work may finish before it is cancelled and released (0-3600)."),
  WORKER_NAME("GOWORK_WORKER_NAME", "--name", "NAME", "<host>-<pid>",
      "A name for this replica, told to the coordinator (1-100 printable characters)."),
  SHARE_LOCK_SECONDS("GOWORK_SHARE_LOCK_SECONDS", "--share-lock-seconds", "SECONDS", "30",
      "The share group's record lock, set on the group at start; keep it equal to the coordinator's (1-3600; the "
          + "broker bounds it, 15-60 s by default)."),
  SHARE_DELIVERY_LIMIT("GOWORK_SHARE_DELIVERY_LIMIT", "--share-delivery-limit", "N", "5",
      "Deliveries of a record before the broker gives it up, set on the group at start (2-10)."),
  SHARE_HEARTBEAT_MS("GOWORK_SHARE_HEARTBEAT_MS", "--share-heartbeat-ms", "MS", "the broker's",
      "The share group's heartbeat interval, set on the group at start (100-60000)."),
  DEAD_LETTER_TOPIC("GOWORK_DEAD_LETTER_TOPIC", "--dead-letter-topic", "TOPIC", null,
      "The share group's dead-letter topic, set on the group at start (at most 249 letters, digits, dots, _ "
          + "or -); unset: none."),
  WORK_PARTITIONS("GOWORK_WORK_PARTITIONS", "--work-partitions", "N", "3",
      "Partitions of the work topic when this worker creates it (1-10000)."),
  REPLICATION_FACTOR("GOWORK_REPLICATION_FACTOR", "--replication-factor", "N", "1",
      "Replication factor of the work topic when this worker creates it (1-" + Short.MAX_VALUE + ")."),
  CANCEL_GRACE_MS("GOWORK_CANCEL_GRACE_MS", "--cancel-grace-ms", "MS", "2000",
      "After a handler is asked to stop (its deadline passed, or its work was cancelled), how long before its "
          + "thread is interrupted (0-600000)."),
  RUNNING_NOTICE_MS("GOWORK_RUNNING_NOTICE_MS", "--running-notice-ms", "MS", "1000",
      "Once a handler has run this long, the worker tells the coordinator, which shows the work as running and "
          + "fires work_started; shorter work sends nothing extra (0-3600000)."),
  HANDSHAKE_ATTEMPTS("GOWORK_HANDSHAKE_ATTEMPTS", "--handshake-attempts", "N", "20",
      "Tries to reach the coordinator at start, with backoff up to 5 s, before giving up (1-1000)."),
  HTTP_PORT("GOWORK_WORKER_HTTP_PORT", "--http-port", "PORT", null,
      "Port of this replica's /healthz, /readyz and /metrics (0-65535; 0 = any free port); unset or none: no HTTP."),
  HTTP_HOST("GOWORK_WORKER_HTTP_HOST", "--http-host", "ADDRESS", "0.0.0.0",
      "Address that /healthz, /readyz and /metrics bind to when --http-port is set."),
  KAFKA_PROPERTIES_FILE("GOWORK_KAFKA_PROPERTIES_FILE", "--kafka-properties-file", "FILE", null,
      "A Java properties file of Kafka client settings (TLS, SASL, ...); GOWORK_KAFKA_<NAME> variables override it."),
  KAFKA("GOWORK_KAFKA_*", null, null, null,
      "Any Kafka client property: GOWORK_KAFKA_SECURITY_PROTOCOL=SSL sets security.protocol.");

  private final String env;
  private final String flag;
  private final String placeholder;
  private final String defaultText;
  private final String description;

  WorkerSetting(String env, String flag, String placeholder, String defaultText, String description) {
    this.env = env;
    this.flag = flag;
    this.placeholder = placeholder;
    this.defaultText = defaultText;
    this.description = description;
  }

  /** The environment variable, e.g. {@code GOWORK_QUEUE}. */
  public String env() {
    return env;
  }

  /** The command-line flag, e.g. {@code --queue}, or {@code null} when there is none. */
  public String flag() {
    return flag;
  }

  /** What the flag's value is, as {@code --help} names it, e.g. {@code SECONDS}; {@code null} without a flag. */
  public String placeholder() {
    return placeholder;
  }

  /** The default, as words for {@code --help}, or {@code null} when unset means none (or it is required). */
  public String defaultText() {
    return defaultText;
  }

  /** What it means, one or more sentences, with its range where it has one, e.g. {@code (1-1000)}. */
  public String description() {
    return description;
  }

  /** The text of {@code --help} for its flag: the description, the env var and the default. */
  public String help() {
    return description + " Env " + env + (defaultText == null ? "." : "; default " + defaultText + ".");
  }

  /**
   * The error for a bad value: names this setting, what it must be, and the value, unless that may be another
   * option or a secret ({@link dev.gowork.broker.ErrorLines#quoted}).
   */
  public dev.gowork.broker.GoWorkException invalid(Object value, String expected) {
    return new dev.gowork.broker.GoWorkException(dev.gowork.broker.ErrorCode.INVALID_ARGUMENT,
        label() + " must be " + expected + "; was "
            + dev.gowork.broker.ErrorLines.quoted(label(), String.valueOf(value)));
  }

  /** How error messages name it: {@code GOWORK_QUEUE (--queue)}. */
  public String label() {
    return flag == null ? env : env + " (" + flag + ")";
  }
}
